from django.apps import AppConfig


class InvitationsConfig(AppConfig):
    name = "invitations"
    verbose_name = "Invitations"

    def ready(self) -> None:
        # accounts may not import invitations: a customer's login reaches Join Now
        # through Django's login signal.
        from django.contrib.auth.signals import user_logged_in

        from invitations.join.views import invitation_accept_on_login

        user_logged_in.connect(invitation_accept_on_login, dispatch_uid="join_accept_on_login")
