from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import checks, django_sessions, schema  # noqa: F401  (checks, sign-in receivers, the OpenAPI scheme)
