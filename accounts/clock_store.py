"""Where the shared idle clock (accounts/clock.py) keeps its moments: plain cache keys, or small Redis hashes.

The plain version, for any shared cache: one key per session and activity type, kept until the session's maximum.
On Redis that costs about 135 bytes of bookkeeping per key (its dict entry, object header and expiry entry), over
250 per session with a login and a request (docs/PERFORMANCE.md, "Sessions at scale"). So on Redis the moments are
fields (`<session id>:<activity type>`) of a hash that the sessions started in the same minute share, split 16 ways
by the first digit of their id: small enough to stay a listpack (a few bytes per field) at hundreds of logins a
minute, and expiring after the last maximum of its sessions. A session always finds its hash again: it is named by
the session's start, which never changes. Each write is one MULTI/EXEC round trip (HSET, then EXPIRE NX and GT:
set if new, pushed out if a later session needs longer), each read one HMGET.
"""

import math
from datetime import UTC, datetime, timedelta

from django.core.cache import cache

from ndfstudio.redis_cache import default_redis, redis_client

from .conf import accounts_settings
from .models import LoginSession

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def clock_store_write(*, session: LoginSession, activity_type: str, at: datetime) -> None:
    """Keep `at` as the session's last moment of `activity_type`. Raises what the cache raises when it is down."""
    if default_redis() is not None:
        _hash_write(session, activity_type, at)
    else:
        _plain_write(session, activity_type, at)


def clock_store_read(*, session: LoginSession, names: tuple[str, ...]) -> dict[str, datetime]:
    """Return the session's kept moments of the activity types `names` (those it has)."""
    if default_redis() is not None:
        return _hash_read(session, names)
    return _plain_read(session, names)


def _keep_until(session: LoginSession, at: datetime) -> datetime:
    """Until the session's maximum, when it is over whatever its clock says; never past CLOCK_TTL_SECONDS."""
    return min(session.expires_at, at + timedelta(seconds=accounts_settings().CLOCK_TTL_SECONDS))


# The plain version: one cache key per session and activity type.


def _plain_key(session: LoginSession, activity_type: str) -> str:
    return f"activity:clock:{session.pk}:{activity_type}"


def _plain_write(session: LoginSession, activity_type: str, at: datetime) -> None:
    timeout = max(1, math.ceil((_keep_until(session, at) - at).total_seconds()))
    cache.set(_plain_key(session, activity_type), at.timestamp(), timeout=timeout)


def _plain_read(session: LoginSession, names: tuple[str, ...]) -> dict[str, datetime]:
    found = cache.get_many([_plain_key(session, name) for name in names])
    moments = {name: found.get(_plain_key(session, name)) for name in names}
    return {name: datetime.fromtimestamp(value, tz=UTC) for name, value in moments.items() if value is not None}


# On Redis: fields of a hash shared by the sessions started in one minute with the same first digit.


def _hash_key(session: LoginSession) -> str:
    minute = int(session.created_at.timestamp()) // 60
    return cache.make_and_validate_key(f"activity:clock:{minute}:{str(session.pk)[0]}")


def _client(key: str):
    return redis_client(default_redis(), key)


def _hash_write(session: LoginSession, activity_type: str, at: datetime) -> None:
    key = _hash_key(session)
    # Relative, so that Redis's clock need not agree with ours; never zero or less, which would delete the hash.
    seconds = max(1, math.ceil((_keep_until(session, at) - at).total_seconds()) + 1)
    micros = (at - EPOCH) // timedelta(microseconds=1)  # exact, where a float timestamp may round
    with _client(key).pipeline(transaction=True) as pipe:
        pipe.hset(key, f"{session.pk}:{activity_type}", micros)
        pipe.expire(key, seconds, nx=True)
        pipe.expire(key, seconds, gt=True)
        pipe.execute()


def _hash_read(session: LoginSession, names: tuple[str, ...]) -> dict[str, datetime]:
    key = _hash_key(session)
    values = _client(key).hmget(key, [f"{session.pk}:{name}" for name in names])
    moments = zip(names, values, strict=True)
    return {name: EPOCH + timedelta(microseconds=int(value)) for name, value in moments if value is not None}
