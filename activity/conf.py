"""The activity app's settings: `settings.ACTIVITY` over defaults, read lazily."""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.core.signals import setting_changed


@dataclass(frozen=True)
class ActivitySettings:
    # Passive paths never count as activity and never write AUDIT rows. Exact paths match with or without a
    # trailing slash; prefixes match anything under them.
    PASSIVE_PATHS: tuple[str, ...] = (
        "/api/auth/config",
        "/api/auth/session",
        "/api/schema",
        "/api/docs",
        "/favicon.ico",
        "/healthz",
        "/admin/jsi18n",  # loaded by every admin page: the page's own request is the activity
    )
    PASSIVE_PREFIXES: tuple[str, ...] = ("/api/logs/", "/static/")
    EXCLUDED_PATHS: tuple[str, ...] = ()  # extra prefixes, from ACTIVITY_EXCLUDED_PATHS
    # Activity types and their idle windows (types.py), from ACTIVITY_TYPES (JSON).
    TYPES: tuple[dict, ...] = (
        # Reading one's own policy is the UI's business, not the user's activity.
        {"type": "policy", "methods": ("GET", "HEAD"), "prefix": "/api/auth/policy", "minutes": "passive"},
        {"type": "read", "methods": ("GET", "HEAD", "OPTIONS")},
        {"type": "write", "methods": ("POST", "PUT", "PATCH", "DELETE")},
    )
    # AUDIT rows are inserted in batches (see activity/buffer.py); 0 writes each row within its request.
    AUDIT_FLUSH_INTERVAL_SECONDS: float = 0.1
    AUDIT_BATCH_SIZE: int = 100  # small batches: building one holds the GIL, which requests then wait for
    RETENTION_DAYS: int = 90
    PRUNE_INTERVAL_SECONDS: int = 3600  # automatic pruning, at most this often per process; 0 turns it off
    PRUNE_BATCH_SIZE: int = 5000
    PRUNE_PAUSE_SECONDS: float = 0.05  # between batches, so that requests get the write lock
    USER_AGENT_MAX_LENGTH: int = 256
    PATH_MAX_LENGTH: int = 512
    # A query parameter whose name contains one of these (case, "-", "_" and "." aside) is redacted, whatever its
    # value: access_token (RFC 6750), id_token, client_secret, X-Api-Key, pwd... Values shaped like a token or a
    # long secret are redacted under any name (activity/scrub.py). EXTRA_ adds names without repeating these.
    SENSITIVE_QUERY_PARAMS: tuple[str, ...] = (
        "token",
        "access",
        "refresh",
        "pass",
        "pwd",
        "secret",
        "key",
        "code",
        "sig",
        "auth",
        "session",
        "sid",
        "csrf",
        "cookie",
        "jwt",
        "bearer",
        "credential",
        "otp",
        "nonce",
        "ticket",
        "assertion",
        "private",
    )
    EXTRA_SENSITIVE_QUERY_PARAMS: tuple[str, ...] = ()  # from LOG_REDACT_PARAMS

    @functools.cached_property
    def activity_types(self):
        """The parsed TYPES (activity/types.py): once per settings value."""
        from .types import rules_parse

        return rules_parse(self.TYPES)


@functools.cache
def activity_settings() -> ActivitySettings:
    """Return the settings in force (unknown keys in settings.ACTIVITY raise TypeError)."""
    return ActivitySettings(**getattr(settings, "ACTIVITY", {}))


def _reload(*, setting, **kwargs):
    if setting == "ACTIVITY":
        activity_settings.cache_clear()


setting_changed.connect(_reload)
