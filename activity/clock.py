"""The last-activity clock of login sessions, kept in the cache that all server processes share.

Each process records a session's activity at most once per CLOCK_RESOLUTION_SECONDS, so the clock may be behind
the truth by that much and readers add it: a decision can come that much late, never early. The clock is kept in
the cache when it is shared (Redis); the owner of the sessions keeps a durable mirror that lags it by at most its
write interval. A process-local cache never vouches for anything: with it, the mirror decides.
"""

import logging
from datetime import UTC, datetime, timedelta

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache

from .conf import activity_settings
from .signals import session_active

logger = logging.getLogger(__name__)


# When this process last recorded each session's activity (timestamps); pruned when it grows.
_recorded: dict[str, float] = {}


def _key(session_id: str) -> str:
    return f"activity:clock:{session_id}"


def clock_is_shared() -> bool:
    """Return whether the cache is seen by every server process (so its clock can be trusted)."""
    return not isinstance(caches[DEFAULT_CACHE_ALIAS], (LocMemCache, DummyCache))


def activity_clock_resolution() -> timedelta:
    """Return how far behind the truth the clock (and anything written from it) may be."""
    return timedelta(seconds=activity_settings().CLOCK_RESOLUTION_SECONDS)


def activity_clock_touch(*, session_id: str, at: datetime, force: bool = False) -> None:
    """Record that the session was active at `at`, for every process: at most once per resolution per process,
    unless `force` (an explicit reset of the clock)."""
    stamp, resolution = at.timestamp(), activity_settings().CLOCK_RESOLUTION_SECONDS
    last = _recorded.get(session_id)
    if not force and last is not None and 0 <= stamp - last < resolution:
        return  # within the resolution: nothing anyone decides would change
    _recorded[session_id] = stamp
    if len(_recorded) > 10_000:
        for key in [k for k, v in _recorded.items() if stamp - v > resolution]:
            _recorded.pop(key, None)
    written = False
    if clock_is_shared():
        try:
            cache.set(_key(session_id), at.timestamp(), timeout=activity_settings().CLOCK_TTL_SECONDS)
            written = True
        except Exception:  # Redis down or unreachable: the durable mirror takes over, see below.
            logger.warning("activity clock unavailable; writing last activity to the database", exc_info=True)
    # When the clock could not keep this moment, the mirror must take it now rather than at its next interval.
    session_active.send(sender=activity_clock_touch, session_id=session_id, at=at, force=not written)


def activity_clock_read(*, session_id: str) -> datetime | None:
    """Return the session's last activity as the shared clock knows it, or None when it cannot vouch for it."""
    if not clock_is_shared():
        return None
    try:
        value = cache.get(_key(session_id))
    except Exception:
        logger.warning("activity clock unavailable; deciding from the database", exc_info=True)
        return None
    return None if value is None else datetime.fromtimestamp(value, tz=UTC)
