"""The per-request session lookup without the database: a snapshot of a session and its user kept by the process
that read them, trusted only while the user's **generation** in the shared cache has not moved since it was taken.

`prepared.session_with_user` is the plain version this stands in for; `session_with_user_cached` answers the same,
from one cache round trip (an HGET of the generation) and the process's own snapshot, when:

- the cache is shared (Redis: `clock.clock_is_shared`); a per-process cache could not hear of another process's
  change, so without one nothing here runs;
- the snapshot is tagged with the user's generation now. Every change that can alter the check (a session ended,
  revoked or held to a stricter policy; the user saved, which covers a password change, a deactivation, a new
  username; the user deleted) calls `session_cache_forget` for its user, which sets a new random generation once
  its transaction commits, before the response that made the change goes out: every process's snapshots of that
  user stop matching at once. A snapshot is tagged with the generation read *before* its database read, so a change
  committed in between leaves it mismatching, never stale and matching. Generations are random, not counters: a
  counter lost to eviction and started again could match an old snapshot;
- the snapshot is at most SNAPSHOT_MAX_AGE old, the longest it could outlive a change whose generation bump failed;
- the snapshot's own idle deadline (its `idle_at` column) is still ahead. The columns only move forward and a
  snapshot's may lag them, so past it the database decides, as accounts/clock.py does from fresh columns.

Anything else (no snapshot, another generation or none, a cache error) reads the database, as without a cache.
The snapshots stay in the process rather than in Redis: a generation is what every process must see, and it is a
few bytes per user (see "Where the generations are kept" below), where a snapshot there cost about 140 bytes of
Redis bookkeeping per session on top of its 400 (docs/PERFORMANCE.md, "Sessions at scale"). Each process keeps the
last SNAPSHOTS_KEPT it took, none older than SNAPSHOT_MAX_AGE, and so reads a session once a minute at most while
it serves it: with N processes serving it, up to N times a minute, still far from once per request.
A snapshot holds no password hash and no refresh-token id: they are deferred fields, read from the database if
anything asks (a password change moves the generation anyway; refresh and recovery read the database themselves).
"""

import functools
import logging
import secrets
import threading
import uuid
import zlib
from collections import OrderedDict
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

from ndfstudio.redis_cache import default_redis, redis_client

from .clock import CACHE_ERRORS, clock_is_shared
from .models import LoginSession
from .prepared import session_with_user

logger = logging.getLogger(__name__)

SNAPSHOT_MAX_AGE = timedelta(seconds=60)
SNAPSHOTS_KEPT = 10_000  # per process: the sessions it served within SNAPSHOT_MAX_AGE, the latest of them
GENERATION_TTL_SECONDS = 600  # at least SNAPSHOT_MAX_AGE: a missing generation only costs one database read
GENERATION_BUCKETS = 1024
# What a snapshot leaves out (deferred): secrets, and what the per-request check never reads.
SESSION_LEFT_OUT = {"refresh_jti", "user_agent", "ip"}
USER_LEFT_OUT = {"password"}

# Session id -> (the generation it was taken under, when, session_snapshot's values), oldest first. Reads go
# without the lock (one dict lookup); writes, which also drop the oldest, take it.
_snapshots: OrderedDict[uuid.UUID, tuple[str, datetime, tuple]] = OrderedDict()
_snapshots_lock = threading.Lock()


def reset() -> None:
    """Forget this process's snapshots (tests)."""
    _snapshots.clear()


def _generation_key(user_id) -> str:
    return f"session:generation:{user_id}"


@functools.cache
def _attnames() -> tuple[list[str], list[str]]:
    """The fields a snapshot holds: the session's, the user's (once per process: models do not change in one)."""
    return tuple(
        [f.attname for f in model._meta.concrete_fields if f.name not in left_out]
        for model, left_out in ((LoginSession, SESSION_LEFT_OUT), (get_user_model(), USER_LEFT_OUT))
    )


def session_snapshot(session: LoginSession) -> tuple:
    """Return what a snapshot keeps of `session` and its user: their field values, secrets left out."""
    session_names, user_names = _attnames()
    user = session.user
    return tuple(getattr(session, name) for name in session_names), tuple(getattr(user, name) for name in user_names)


def session_from_snapshot(snapshot: tuple) -> LoginSession:
    """Rebuild the session and its user from `session_snapshot`'s values, as the database would load them."""
    (session_values, user_values), (session_names, user_names) = snapshot, _attnames()
    User = get_user_model()
    session = LoginSession.from_db(LoginSession.objects.db, session_names, session_values)
    user = User.from_db(User.objects.db, user_names, user_values)
    LoginSession.user.field.set_cached_value(session, user)
    return session


def session_with_user_cached(pk: uuid.UUID, *, user_id, now: datetime) -> LoginSession | None:
    """Return `session_with_user(pk)`, from its snapshot when that is current (see above) for a check at `now`.

    `user_id` is whose session the caller expects (the token's claim): its generation is what the snapshot must match.
    """
    if not clock_is_shared():
        return session_with_user(pk)
    try:
        generation = _generation_read(user_id)
    except CACHE_ERRORS:
        logger.warning("session cache unavailable; reading the session from the database", exc_info=True)
        return session_with_user(pk)
    kept = _snapshots.get(pk)
    # Taken under this generation, at most SNAPSHOT_MAX_AGE ago, and not after `now` (a clock set back).
    if (
        generation is not None
        and kept is not None
        and kept[0] == generation
        and kept[1] <= now <= kept[1] + SNAPSHOT_MAX_AGE
    ):
        session = session_from_snapshot(kept[2])
        if now <= session.idle_at:
            return session
    if generation is None:
        generation = _generation_start(user_id)
    session = session_with_user(pk)  # after reading the generation: see the module's docstring
    if generation is not None and _cacheable(session, user_id):
        _snapshot_keep(pk, (generation, now, session_snapshot(session)), now=now)
    return session


def _snapshot_keep(pk: uuid.UUID, kept: tuple[str, datetime, tuple], *, now: datetime) -> None:
    with _snapshots_lock:
        _snapshots[pk] = kept
        _snapshots.move_to_end(pk)
        # The oldest first: past SNAPSHOTS_KEPT, or too old to be trusted anyway (a few each time, not a scan).
        while _snapshots:
            oldest = next(iter(_snapshots.values()))
            if len(_snapshots) <= SNAPSHOTS_KEPT and now - oldest[1] <= SNAPSHOT_MAX_AGE:
                break
            _snapshots.popitem(last=False)


def _cacheable(session: LoginSession | None, user_id) -> bool:
    """Only an open session of an active user, the one expected, is worth a snapshot: the others are refused."""
    return (
        session is not None
        and session.ended_at is None
        and session.user.is_active
        and str(session.user_id) == str(user_id)
    )


# Where the generations are kept: on Redis, fields (the user's id) of GENERATION_BUCKETS hashes, small enough to
# stay listpacks (a few bytes a field) up to about 128 users each, where a key of its own cost about 100 bytes of
# bookkeeping per user: as much as the rest of a session's Redis state (docs/PERFORMANCE.md, "Sessions at scale").
# A hash expires GENERATION_TTL_SECONDS after its last write; until then it keeps the generations of the users it
# has seen, at most one each. Elsewhere (any other shared cache), a plain key per user.


def _generation_bucket(user_id) -> str:
    return f"session:generations:{zlib.crc32(str(user_id).encode()) % GENERATION_BUCKETS}"


def _generation_read(user_id) -> str | None:
    """Return the user's generation, None if there is none. Raises what the cache raises when it is down."""
    redis = default_redis()
    if redis is None:
        return cache.get(_generation_key(user_id))
    direct = getattr(redis, "hget_direct", None)  # ndfstudio.redis_cache's (settings.py); Django's own works too
    if direct is not None:
        value = direct(_generation_bucket(user_id), str(user_id))
    else:
        key = redis.make_key(_generation_bucket(user_id))
        value = redis_client(redis, key).hget(key, str(user_id))
    return None if value is None else value.decode()


def _generation_write(user_id, generation: str, *, replace: bool) -> str | None:
    """Set the user's generation (only if there is none, unless `replace`); return the one that holds."""
    redis = default_redis()
    if redis is None:
        key = _generation_key(user_id)
        if replace:
            cache.set(key, generation, timeout=GENERATION_TTL_SECONDS)
        elif not cache.add(key, generation, timeout=GENERATION_TTL_SECONDS):
            return cache.get(key)
        return generation
    key, field = redis.make_key(_generation_bucket(user_id)), str(user_id)
    with redis_client(redis, key).pipeline(transaction=True) as pipe:
        (pipe.hset if replace else pipe.hsetnx)(key, field, generation)
        pipe.expire(key, GENERATION_TTL_SECONDS)
        pipe.hget(key, field)
        return pipe.execute()[2].decode()


def _generation_start(user_id) -> str | None:
    """Return the user's generation, starting one if there is none; None if the cache cannot say."""
    try:
        # If another process started it first (or a change set it), theirs it is.
        return _generation_write(user_id, secrets.token_hex(8), replace=False)
    except CACHE_ERRORS:
        logger.warning("session cache unavailable; snapshot not kept", exc_info=True)
        return None


def session_cache_forget(*, user_id) -> None:
    """Make every snapshot of the user's sessions stale: each change to a session or user that the per-request
    check reads calls this.

    At once, and again once the current transaction commits if there is one: a snapshot taken from the database
    between the two (before the commit) carries the first generation, and what this very transaction reads next
    (the tests' transactions never commit) must not be answered from a snapshot either.
    """
    if not clock_is_shared():
        return
    _generation_bump(user_id)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _generation_bump(user_id))


def _generation_bump(user_id) -> None:
    try:
        _generation_write(user_id, secrets.token_hex(8), replace=True)
    except CACHE_ERRORS:
        # Their snapshots stay trusted until SNAPSHOT_MAX_AGE if the cache comes back with the old generation.
        logger.error("session cache unavailable; snapshots of user %s not made stale", user_id, exc_info=True)
