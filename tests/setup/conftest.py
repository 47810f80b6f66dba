from tests.chatterorg.fixtures import admin_client, customizer, user_client, user_manager

__all__ = ["admin_client", "customizer", "user_client", "user_manager"]
