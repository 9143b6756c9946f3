"""The accounts app's settings: `settings.ACCOUNTS` over defaults, read lazily."""

import functools
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.signals import setting_changed
from rest_framework_simplejwt import settings as simplejwt  # its api_settings is rebound on override


@dataclass(frozen=True)
class AccountsSettings:
    INACTIVITY_THRESHOLD: timedelta = timedelta(minutes=20)
    # The range a group's or a user's threshold may take, and the longest idle window any activity may earn.
    INACTIVITY_MIN: timedelta = timedelta(minutes=1)
    INACTIVITY_MAX: timedelta = timedelta(minutes=60)
    # False turns the idle rule off: sessions end only by their maximum, lifetime, logout or revocation.
    INACTIVITY_BASED_EXPIRATION: bool = True
    SESSION_MAX_AGE: timedelta = timedelta(hours=12)
    # How long after its end a session ended by inactivity or its maximum may be recovered (accounts/recovery.py).
    SESSION_RECOVERY: timedelta = timedelta(minutes=60)
    WARNING_SECONDS: int = 120
    TOKEN_CHECK_INTERVAL_SECONDS: int = 30
    ACTIVITY_CHECK_INTERVAL_SECONDS: int = 120
    ACCEPT_LEGACY_TOKENS: bool = True
    # The idle clock (accounts/clock.py). A process records a session's activity at most this often, and decisions
    # add it; settings.py sets min(1 s, threshold / 20).
    CLOCK_RESOLUTION_SECONDS: float = 1.0
    # How long the shared clock remembers a session's last activity; past it, the database column decides.
    CLOCK_TTL_SECONDS: int = 24 * 3600
    # How often, at most, the column is written. None: every recorded activity without a shared clock, else
    # min(60 s, threshold / 20).
    WRITE_INTERVAL: timedelta | None = None
    MAX_AUTHORIZATION_HEADER_BYTES: int = 4096
    REFRESH_COOKIE_NAME: str = "ndf_refresh"
    REFRESH_COOKIE_PATH: str = "/api/auth/"
    REFRESH_COOKIE_SECURE: bool = False

    @property
    def warning_window(self) -> timedelta:
        """The warning window in force: never more than half the threshold (checks warn when it is clamped)."""
        return min(timedelta(seconds=self.WARNING_SECONDS), self.INACTIVITY_THRESHOLD / 2)

    @property
    def token_lifetime(self) -> timedelta:
        """The access tokens' lifetime (SimpleJWT's setting, as overridden)."""
        return simplejwt.api_settings.ACCESS_TOKEN_LIFETIME


@functools.cache
def accounts_settings() -> AccountsSettings:
    """Return the settings in force (unknown keys in settings.ACCOUNTS raise TypeError)."""
    return AccountsSettings(**getattr(settings, "ACCOUNTS", {}))


def _reload(*, setting, **kwargs):
    if setting == "ACCOUNTS":
        accounts_settings.cache_clear()


setting_changed.connect(_reload)
