"""When a login session goes idle: its last activity, who writes it where, and the deadline that follows.

Each tracked request earns the session an idle **window** from the moment it was accepted: its activity type's
(activity/types.py), else the session's own threshold (accounts/policies.py), never above the session's ceiling.
The session goes idle at the latest end of those windows (a long edit is not cut short by a quick read after it),
and at its absolute end whatever happens. A session's activity is kept in two stores:

- the **shared clock**, a moment per session and activity type that every server process sees (Redis; how it is
  kept: accounts/clock_store.py). A process records a session's activity there at most once per **resolution**,
  min(1 s, threshold / 20), so the clock may lag the truth by that much;
- the columns **`LoginSession.last_activity`**, **`idle_at`** and **`idle_type`**, read with the session on every
  request, only ever moved forward. They are written at most once per **write interval**: on every recorded activity
  when there is no shared clock (the database is then the only truth all processes see), else at most once a minute
  as the fallback for a clock that forgets or fails. Whenever the clock could not take a moment, they take it at once.

The **deadline** adds what the stores may lag: the resolution, and the write interval when only the columns vouch.
So a session is never signed out early, and at most that late. Nothing else writes either store: authentication
records the activity of the tracked requests it accepts, "stay signed in" resets the clock, a login starts it.
With `INACTIVITY_BASED_EXPIRATION` off, the deadline is the session's end.
"""

import logging
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import NamedTuple

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError

from activity.types import activity_type_names, activity_types

from .clock_store import clock_store_read, clock_store_write
from .conf import accounts_settings
from .models import LoginSession
from .prepared import last_activity_advance

logger = logging.getLogger(__name__)

CACHE_ERRORS = (RedisError, OSError)  # what a cache that is down, hung or unreachable raises
LOGIN, EXTEND = "login", "extend"  # the activity a session starts with, and "stay signed in": both a threshold

# When this process last recorded each session's activity (its moment and deadline), and last wrote its columns
# (timestamps). Per process on purpose: they only spare writes, and each process keeping its own interval is what
# bounds the lag. Pruned when they grow.
_recorded: OrderedDict[str, tuple[float, float]] = OrderedDict()
_written: OrderedDict[str, float] = OrderedDict()


class SessionClock(NamedTuple):
    last_activity: datetime
    idle_at: datetime  # when the session goes idle without further activity (at the latest, its end)
    idle_type: str  # the activity type whose window set `idle_at`


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
    """Return how often, at most, a session's activity is written to its columns."""
    conf = accounts_settings()
    if conf.WRITE_INTERVAL is not None:
        return conf.WRITE_INTERVAL
    if not clock_is_shared():
        return timedelta(0)
    return min(timedelta(seconds=60), conf.INACTIVITY_THRESHOLD / 20)


def session_window(*, session: LoginSession, activity_type: str) -> timedelta:
    """Return the idle window a request of `activity_type` earns `session`, under the session's policy now."""
    minutes = next((t.minutes for t in activity_types() if t.type == activity_type), None)
    window = session.idle_threshold if minutes is None else timedelta(minutes=minutes)
    return min(window, session.idle_ceiling)


def session_window_longest(*, session: LoginSession) -> timedelta:
    """Return the longest window any activity can earn `session` under its policy now."""
    return max(session_window(session=session, activity_type=name) for name in (LOGIN, *activity_type_names()))


def _remember(seen: OrderedDict, session_id: str, value, stamp: float, horizon: float) -> None:
    # Moved to the end, so the dict runs from the session remembered longest ago: past 10,000 sessions, the stale
    # ones are dropped from its front, a few at a time, rather than by scanning them all on every call. (An
    # OrderedDict: a plain dict's first item is found by skipping the holes its deletions left, O(n) again.)
    seen[session_id] = value
    seen.move_to_end(session_id)
    while len(seen) > 10_000:
        oldest = next(iter(seen))
        moment = seen[oldest][0] if isinstance(seen[oldest], tuple) else seen[oldest]
        if stamp - moment <= horizon:
            break
        del seen[oldest]


def _clock_write(session: LoginSession, activity_type: str, at: datetime) -> bool:
    """Set the shared clock of one activity type; return whether it took the moment."""
    if not clock_is_shared():
        return False
    try:
        clock_store_write(session=session, activity_type=activity_type, at=at)  # how: accounts/clock_store.py
    except CACHE_ERRORS:
        logger.warning("activity clock unavailable; writing last activity to the database", exc_info=True)
        return False
    return True


def _column_write(session_id: str, at: datetime, idle_at: datetime, activity_type: str, *, force: bool) -> None:
    interval = write_interval().total_seconds()
    written = _written.get(session_id)
    if not force and written is not None and at.timestamp() - written < interval:
        return
    _remember(_written, session_id, at.timestamp(), at.timestamp(), interval)
    last_activity_advance(session_id, at=at, idle_at=idle_at, idle_type=activity_type)


def session_clock_start(*, session: LoginSession) -> None:
    """Start the clock of a session just saved: its columns already hold its start and first deadline."""
    start, resolution = session.last_activity.timestamp(), accounts_settings().CLOCK_RESOLUTION_SECONDS
    _remember(_recorded, str(session.pk), (start, session.idle_at.timestamp()), start, resolution)
    _remember(_written, str(session.pk), start, start, write_interval().total_seconds())
    _clock_write(session, LOGIN, session.last_activity)


def session_clock_record(
    *, session: LoginSession, at: datetime, activity_type: str = EXTEND, force: bool = False
) -> None:
    """Record that the session was active at `at` with a request of `activity_type`.

    At most once per resolution per process unless `force`, or unless it earns a later deadline than recorded.
    """
    window = session_window(session=session, activity_type=activity_type)
    stamp, deadline, resolution = (
        at.timestamp(),
        (at + window).timestamp(),
        accounts_settings().CLOCK_RESOLUTION_SECONDS,
    )
    last = _recorded.get(str(session.pk))
    if not force and last is not None and 0 <= stamp - last[0] < resolution and deadline - last[1] < resolution:
        return  # within the resolution, and no later deadline: nothing anyone decides would change
    _remember(_recorded, str(session.pk), (stamp, max(deadline, last[1] if last else 0)), stamp, resolution)
    # A moment the shared clock could not take goes to the columns now rather than at their next interval.
    kept = _clock_write(session, activity_type, at)
    _column_write(str(session.pk), at, at + window, activity_type, force=not kept)


def _clock_read(session: LoginSession) -> dict[str, datetime] | None:
    """Return the shared clock's moments of the session, by activity type, or None when it cannot vouch."""
    if not clock_is_shared():
        return None
    names = (LOGIN, EXTEND, *activity_type_names())
    try:
        return clock_store_read(session=session, names=names) or None
    except CACHE_ERRORS:
        logger.warning("activity clock unavailable; deciding from the database", exc_info=True)
        return None


def session_clock_read(*, session: LoginSession) -> SessionClock:
    """Return the session's last activity, the moment it goes idle without further activity, and why then."""
    if not accounts_settings().INACTIVITY_BASED_EXPIRATION:
        return SessionClock(session.last_activity, session.expires_at, "maximum")
    # The columns' deadline, capped by the policy now (a shortened policy applies at once); plus their lag.
    columns = min(session.idle_at, session.last_activity + session_window_longest(session=session))
    idle_at, idle_type, last = columns, session.idle_type, session.last_activity
    clock = _clock_read(session)
    if clock is None:
        idle_at += write_interval()
    else:
        for name, at in clock.items():
            deadline = at + session_window(session=session, activity_type=name)
            if deadline > idle_at:
                idle_at, idle_type = deadline, name
            last = max(last, at)
    idle_at += clock_resolution()
    if idle_at >= session.expires_at:
        return SessionClock(last, session.expires_at, "maximum")  # it ends then anyway
    return SessionClock(last, idle_at, idle_type)


def session_clock_idle_for(*, session: LoginSession, now: datetime) -> timedelta | None:
    """Return how long the session has been idle at `now` if that is past its deadline, else None."""
    # The common case costs nothing: the columns never run ahead of the truth, so a deadline still ahead is enough.
    if now <= session.idle_at or not accounts_settings().INACTIVITY_BASED_EXPIRATION:
        return None
    last, idle_at, _ = session_clock_read(session=session)
    return now - last if now > idle_at else None


def session_clock_extend(*, session: LoginSession, now: datetime) -> SessionClock:
    """Reset the session's clock to `now` ("stay signed in"), whatever the resolution; return it as a poll will."""
    session_clock_record(session=session, at=now, activity_type=EXTEND, force=True)
    # As the columns have it now, or the clock vouches.
    window = session_window(session=session, activity_type=EXTEND)
    session.last_activity, session.idle_at = max(session.last_activity, now), max(session.idle_at, now + window)
    return session_clock_read(session=session)
