"""Atomic counters of login attempts, shared by every process: in Redis when there is one, else in the database.

Each counter is one throttle bucket in one fixed window (its key names the window), added to with one atomic
operation that returns the new count: Redis `SET NX` + `INCR` through the cache, or a single
`INSERT ... ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count` on SQLite and PostgreSQL. Without Redis the
local-memory cache is private to a process, so the database is the only store all processes share; Django's
DatabaseCache would not do, its `incr` is a read-modify-write. Only login attempts touch these counters, never
an authenticated request.

While Redis fails (down, or hung past its socket timeout) a process counts in the database for `PAUSE_SECONDS`
before it tries Redis again, so a dead Redis costs one timeout per pause, not one per request. The limits hold
in the database too (it starts the window from what it knows: at most one limit more in the window of the switch),
and the outage leaves one ERROR row (at most one per `REPORT_SECONDS` across all processes).
"""

import logging
import math
import time
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import connection
from django.db.models import F

from activity.models import ActivityLog
from activity.recording import activity_record

from .clock import CACHE_ERRORS, clock_is_shared
from .models import LoginFailureCounter

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 5.0
REPORT_SECONDS = 300
PRUNE_SECONDS = 60.0
CACHE, DATABASE = "cache", "database"

# Per process on purpose: each process finds out for itself that Redis failed, and prunes now and then.
_state = {"redis_paused_until": 0.0, "pruned_at": 0.0}


def reset() -> None:
    """Forget this process's view of Redis and of pruning (tests)."""
    _state.update(redis_paused_until=0.0, pruned_at=0.0)


def counters_add(counters: list[tuple[str, float]]) -> tuple[str, list[int]]:
    """Add one to each counter (key, end of its window as a timestamp); return the store used and the new counts."""
    now = time.time()
    if clock_is_shared() and now >= _state["redis_paused_until"]:
        try:
            return CACHE, [_cache_add(key, ends - now) for key, ends in counters]
        except CACHE_ERRORS:
            _redis_failed(now)
    _prune(now)
    return DATABASE, [_database_add(key, ends) for key, ends in counters]


def counters_subtract(store: str, keys: list[str]) -> None:
    """Take one back from each counter of `store` (an attempt that turned out not to count)."""
    if store == DATABASE:
        LoginFailureCounter.objects.filter(key__in=keys).update(count=F("count") - 1)
        return
    for key in keys:
        try:
            if cache.decr(key) < 0:  # it expired between the cache's EXISTS and DECR, which made it again, forever
                cache.delete(key)
        except ValueError:
            pass  # its window ended: nothing left to take back
        except CACHE_ERRORS:
            _redis_failed(time.time())
            return  # left counted (the safe side) until its window ends


def _cache_add(key: str, seconds_left: float) -> int:
    timeout = math.ceil(seconds_left) + 1
    for _ in range(2):
        if cache.add(key, 1, timeout=timeout):
            return 1
        try:
            count = cache.incr(key)
        except ValueError:
            continue  # expired between the two calls: start it again
        if count == 1:  # expired between the cache's EXISTS and INCR, which made it again without a timeout
            cache.touch(key, timeout)
        return count
    raise ValueError(f"counter {key} could not be added to")


def _database_add(key: str, ends: float) -> int:
    table = connection.ops.quote_name(LoginFailureCounter._meta.db_table)
    key_column, count, expires = (connection.ops.quote_name(name) for name in ("key", "count", "expires_at"))
    expires_at = connection.ops.adapt_datetimefield_value(datetime.fromtimestamp(ends, tz=UTC))
    sql = (
        f"INSERT INTO {table} ({key_column}, {count}, {expires}) VALUES (%s, 1, %s) "  # noqa: S608 (names, not input)
        f"ON CONFLICT ({key_column}) DO UPDATE SET {count} = {table}.{count} + 1 RETURNING {count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, expires_at])
        return cursor.fetchone()[0]


def _prune(now: float) -> None:
    if now - _state["pruned_at"] < PRUNE_SECONDS:
        return
    _state["pruned_at"] = now
    LoginFailureCounter.objects.filter(expires_at__lt=datetime.fromtimestamp(now, tz=UTC)).delete()


def _redis_failed(now: float) -> None:
    logger.warning("Redis unavailable; counting login attempts in the database", exc_info=True)
    _state["redis_paused_until"] = now + PAUSE_SECONDS
    window = int(now // REPORT_SECONDS)
    # One row per outage, whatever the number of processes: the first to count this window's report writes it.
    if _database_add(f"report:redis-down:{window}", (window + 1) * REPORT_SECONDS) == 1:
        activity_record(
            category=ActivityLog.Category.ERROR,
            event="login_throttle_degraded",
            message="Redis is unavailable: login attempts are counted in the database",
        )
