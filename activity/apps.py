from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "activity"
    verbose_name = "Activity"

    def ready(self):
        from . import receivers  # noqa: F401  (an ERROR row for every unexpected failure)
