"""The accounts app's settings: `settings.ACCOUNTS` over defaults, read lazily."""

import functools
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.signals import setting_changed


@dataclass(frozen=True)
class AccountsSettings:
    INACTIVITY_THRESHOLD: timedelta = timedelta(minutes=20)
    SESSION_MAX_AGE: timedelta = timedelta(hours=12)
    WARNING_SECONDS: int = 120
    TOKEN_CHECK_INTERVAL_SECONDS: int = 30
    ACTIVITY_CHECK_INTERVAL_SECONDS: int = 120
    ACCEPT_LEGACY_TOKENS: bool = True
    # How often a session's last activity is written through to the database. None: every tracked request when
    # the cache is per-process (the database is then the only shared truth), else min(60 s, threshold / 20).
    WRITE_INTERVAL: timedelta | None = None
    MAX_AUTHORIZATION_HEADER_BYTES: int = 4096
    REFRESH_COOKIE_NAME: str = "ndf_refresh"
    REFRESH_COOKIE_PATH: str = "/api/auth/"
    REFRESH_COOKIE_SECURE: bool = False

    @property
    def warning_seconds(self) -> float:
        """The warning window in force: never more than half the threshold (checks warn when it is clamped)."""
        return min(self.WARNING_SECONDS, self.INACTIVITY_THRESHOLD.total_seconds() / 2)


@functools.cache
def accounts_settings() -> AccountsSettings:
    """Return the settings in force (unknown keys in settings.ACCOUNTS raise TypeError)."""
    return AccountsSettings(**getattr(settings, "ACCOUNTS", {}))


def _reload(*, setting, **kwargs):
    if setting == "ACCOUNTS":
        accounts_settings.cache_clear()


setting_changed.connect(_reload)
