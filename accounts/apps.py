from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from activity.analytics import open_sessions_counter_register
        from activity.retention import retention_pruner_register

        from . import checks, django_sessions, receivers, schema  # noqa: F401  (checks, signal receivers, OpenAPI)
        from .retention import django_sessions_prune, login_sessions_prune
        from .sessions import sessions_open_count

        open_sessions_counter_register(sessions_open_count)  # the analytics' "active sessions now"
        retention_pruner_register("login sessions", login_sessions_prune)  # kept as long as the log
        retention_pruner_register("django sessions", django_sessions_prune)  # until they expire
