"""Test settings: in-memory SQLite (unless DATABASE_URL says otherwise), MD5 hasher, no background threads."""

from urllib.parse import urlsplit

from .settings import *  # noqa: F403
from .settings import ACCOUNTS, ACTIVITY, CACHES, DATABASES, REDIS_URL, env

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

# Under pytest-xdist every worker (gw0, gw1, ...) gets its own Redis database, REDIS_URL's number plus the worker's:
# the tests clear the cache around each test, and Django's RedisCache.clear() is FLUSHDB, which a key prefix does
# not contain. (pytest-django already gives each worker its own test database.)
XDIST_WORKER = env.str("PYTEST_XDIST_WORKER", default="")
if REDIS_URL and XDIST_WORKER:
    url = urlsplit(REDIS_URL)
    db = int(url.path.strip("/") or 0) + int(XDIST_WORKER.removeprefix("gw"))
    CACHES["default"]["LOCATION"] = url._replace(path=f"/{db}").geturl()
