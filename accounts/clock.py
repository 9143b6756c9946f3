"""When a login session goes idle: its last activity, who writes it where, and the deadline that follows.

A session's last activity is kept in two stores:

- the **shared clock**, a cache key every server process sees (Redis). A process records a session's activity there
  at most once per **resolution**, min(1 s, threshold / 20), so the clock may lag the truth by that much;
- the column **`LoginSession.last_activity`**, read with the session on every request. It is written at most once
  per **write interval**: on every recorded activity when there is no shared clock (the database is then the only
  truth all processes see), else at most once a minute as the fallback for a clock that forgets or fails. Whenever
  the clock could not take a moment, the column takes it at once.

The **deadline** is the last activity plus the threshold plus what the stores may lag: the resolution, and the
write interval when only the column vouches. So a session is never signed out early, and at most that late. It is
capped at the session's absolute end. Nothing else writes either store: authentication records the activity of
the tracked requests it accepts, "stay signed in" resets the clock, a login starts it.
"""

import logging
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError

from .conf import accounts_settings
from .models import LoginSession
from .prepared import last_activity_advance

logger = logging.getLogger(__name__)

CACHE_ERRORS = (RedisError, OSError)  # what a cache that is down, hung or unreachable raises

# When this process last recorded each session's activity in the shared clock, and last wrote its column
# (timestamps). Per process on purpose: they only spare writes, and each process keeping its own interval is what
# bounds the lag. Pruned when they grow.
_recorded: dict[str, float] = {}
_written: dict[str, float] = {}


class SessionClock(NamedTuple):
    last_activity: datetime
    idle_at: datetime  # when the session goes idle without further activity (at the latest, its end)


def reset() -> None:
    """Forget this process's record of what it wrote (tests)."""
    _recorded.clear()
    _written.clear()


def clock_is_shared() -> bool:
    """Return whether the cache is seen by every server process, so that its clock can vouch for activity."""
    return not isinstance(caches[DEFAULT_CACHE_ALIAS], (LocMemCache, DummyCache))


def clock_resolution() -> timedelta:
    """Return how far behind the truth the recorded activity may be."""
    return timedelta(seconds=accounts_settings().CLOCK_RESOLUTION_SECONDS)


def write_interval() -> timedelta:
    """Return how often, at most, a session's activity is written to its column."""
    conf = accounts_settings()
    if conf.WRITE_INTERVAL is not None:
        return conf.WRITE_INTERVAL
    if not clock_is_shared():
        return timedelta(0)
    return min(timedelta(seconds=60), conf.INACTIVITY_THRESHOLD / 20)


def _key(session_id: str) -> str:
    return f"activity:clock:{session_id}"


def _remember(seen: dict[str, float], session_id: str, stamp: float, horizon: float) -> None:
    seen[session_id] = stamp
    if len(seen) > 10_000:
        for key in [k for k, v in seen.items() if stamp - v > horizon]:
            seen.pop(key, None)


def _clock_write(session_id: str, at: datetime) -> bool:
    """Set the shared clock; return whether it took the moment."""
    if not clock_is_shared():
        return False
    try:
        cache.set(_key(session_id), at.timestamp(), timeout=accounts_settings().CLOCK_TTL_SECONDS)
    except CACHE_ERRORS:
        logger.warning("activity clock unavailable; writing last activity to the database", exc_info=True)
        return False
    return True


def _column_write(session_id: str, at: datetime, *, force: bool) -> None:
    interval = write_interval().total_seconds()
    written = _written.get(session_id)
    if not force and written is not None and at.timestamp() - written < interval:
        return
    _remember(_written, session_id, at.timestamp(), interval)
    last_activity_advance(session_id, at)


def session_clock_start(*, session: LoginSession) -> None:
    """Start the clock of a session just saved: its column already holds its start."""
    stamp = session.last_activity.timestamp()
    _remember(_recorded, str(session.pk), stamp, clock_resolution().total_seconds())
    _remember(_written, str(session.pk), stamp, write_interval().total_seconds())
    _clock_write(str(session.pk), session.last_activity)


def session_clock_record(*, session_id: str, at: datetime, force: bool = False) -> None:
    """Record that the session was active at `at`: at most once per resolution per process, unless `force`."""
    stamp, resolution = at.timestamp(), accounts_settings().CLOCK_RESOLUTION_SECONDS
    last = _recorded.get(session_id)
    if not force and last is not None and 0 <= stamp - last < resolution:
        return  # within the resolution: nothing anyone decides would change
    _remember(_recorded, session_id, stamp, resolution)
    # A moment the shared clock could not take goes to the column now rather than at its next interval.
    _column_write(session_id, at, force=not _clock_write(session_id, at))


def session_clock_read(*, session: LoginSession) -> SessionClock:
    """Return the session's last activity and the moment it goes idle without further activity."""
    threshold = accounts_settings().INACTIVITY_THRESHOLD + clock_resolution()
    clock = None
    if clock_is_shared():
        try:
            value = cache.get(_key(str(session.pk)))
        except CACHE_ERRORS:
            logger.warning("activity clock unavailable; deciding from the database", exc_info=True)
            value = None
        clock = None if value is None else datetime.fromtimestamp(value, tz=UTC)
    if clock is None:
        last, idle_at = session.last_activity, session.last_activity + threshold + write_interval()
    else:
        last = max(clock, session.last_activity)
        idle_at = last + threshold
    return SessionClock(last, min(idle_at, session.expires_at))  # it ends then anyway


def session_clock_idle_for(*, session: LoginSession, now: datetime) -> timedelta | None:
    """Return how long the session has been idle at `now` if that is past its deadline, else None."""
    # The common case costs nothing: the column never runs ahead of the truth, so a recent one is enough.
    if now - session.last_activity <= accounts_settings().INACTIVITY_THRESHOLD:
        return None
    last, idle_at = session_clock_read(session=session)
    return now - last if now > idle_at else None


def session_clock_extend(*, session: LoginSession, now: datetime) -> SessionClock:
    """Reset the session's clock to `now` ("stay signed in"), whatever the resolution; return it as a poll will."""
    session_clock_record(session_id=str(session.pk), at=now, force=True)
    session.last_activity = max(session.last_activity, now)  # as the column has it now, or the clock vouches
    return session_clock_read(session=session)
