from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import checks, django_sessions, receivers, schema  # noqa: F401  (checks, signal receivers, OpenAPI)
