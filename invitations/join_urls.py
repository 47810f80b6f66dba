app_name = "join"
urlpatterns: list = []
