"""Test settings: in-memory SQLite (unless DATABASE_URL says otherwise), MD5 hasher, no background threads."""

from .settings import *  # noqa: F403
from .settings import ACCOUNTS, ACTIVITY, DATABASES, env

if "DATABASE_URL" not in env:
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
        # The in-memory database is shared between threads with table locks: without this, a test reading the log
        # while the AUDIT flusher thread writes makes that write fail with "database table is locked".
        "OPTIONS": {"init_command": "PRAGMA read_uncommitted = 1;"},
    }
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ACTIVITY["PRUNE_INTERVAL_SECONDS"] = 0
ACTIVITY["PRUNE_PAUSE_SECONDS"] = 0
ACTIVITY["AUDIT_FLUSH_INTERVAL_SECONDS"] = 0  # rows written within their request; buffer tests turn it on
ACCOUNTS["CLOCK_RESOLUTION_SECONDS"] = 0  # every tracked request recorded: exact decisions; clock tests turn it on
