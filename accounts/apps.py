from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from activity.analytics import open_sessions_counter_register

        from . import checks, django_sessions, receivers, schema  # noqa: F401  (checks, signal receivers, OpenAPI)
        from .sessions import sessions_open_count

        open_sessions_counter_register(sessions_open_count)  # the analytics' "active sessions now"
