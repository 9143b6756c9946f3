from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import checks, schema  # noqa: F401  (registers the checks and the OpenAPI scheme)
