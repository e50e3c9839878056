from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import request_started
        from django.db.backends.signals import connection_created

        from accounts.token_cache import new_request, start_listening

        # Every connection LISTENs for changes to tokens and users, so it may keep the tokens it checked.
        connection_created.connect(start_listening, dispatch_uid="accounts.token_cache")
        request_started.connect(new_request, dispatch_uid="accounts.token_cache.request")
