"""Read-only admin for the API's bookkeeping."""

from django.contrib import admin

from api.models import ApiDailyUsage
from chatterorg.admin import ReadOnlyAdmin


@admin.register(ApiDailyUsage)
class ApiDailyUsageAdmin(ReadOnlyAdmin):
    list_display = ("day", "requests")
    date_hierarchy = "day"
