from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import checks, receivers, schema  # noqa: F401  (registers the checks, receivers, OpenAPI scheme)
