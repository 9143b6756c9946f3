"""Test settings: in-memory SQLite (unless DATABASE_URL says otherwise), the MD5 hasher, no background pruning."""

from .settings import *  # noqa: F403
from .settings import ACTIVITY, DATABASES, env

if "DATABASE_URL" not in env:
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ACTIVITY["PRUNE_INTERVAL_SECONDS"] = 0
