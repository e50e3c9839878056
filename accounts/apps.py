from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import request_started

        from accounts.token_cache import new_request

        # A connection that keeps the tokens it checked must hear each request's changes first.
        request_started.connect(new_request, dispatch_uid="accounts.token_cache.request")
