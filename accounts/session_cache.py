"""The per-request session lookup without the database: a snapshot of a session and its user in the shared cache,
trusted only while the user's **generation** has not moved since it was taken.

`prepared.session_with_user` is the plain version this stands in for; `session_with_user_cached` answers the same,
from one cache round trip (the snapshot and the generation, read together) when:

- the cache is shared (Redis: `clock.clock_is_shared`); a per-process cache could not hear of another process's
  change, so without one nothing here runs;
- the snapshot is tagged with the user's generation now. Every change that can alter the check (a session ended,
  revoked or held to a stricter policy; the user saved, which covers a password change, a deactivation, a new
  username; the user deleted) calls `session_cache_forget` for its user, which sets a new random generation once
  its transaction commits, before the response that made the change goes out. A snapshot is tagged with the
  generation read *before* its database read, so a change committed in between leaves it mismatching, never
  stale and matching. Generations are random, not counters: a counter lost to eviction and started again could
  match an old snapshot;
- the snapshot's own idle deadline (its `idle_at` column) is still ahead. The columns only move forward and a
  snapshot's may lag them, so past it the database decides, as accounts/clock.py does from fresh columns.

Anything else (no snapshot, another generation or none, a cache error) reads the database, as without a cache.
A snapshot holds no password hash and no refresh-token id: they are deferred fields, read from the database if
anything asks (a password change moves the generation anyway; refresh and recovery read the database themselves).
"""

import functools
import hashlib
import logging
import secrets
import uuid
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

from .clock import CACHE_ERRORS, clock_is_shared
from .models import LoginSession
from .prepared import session_with_user

logger = logging.getLogger(__name__)

SNAPSHOT_TTL_SECONDS = 60  # also the longest a snapshot could outlive a change whose generation bump failed
GENERATION_TTL_SECONDS = 600  # at least the snapshot's: a missing generation only costs one database read
# What a snapshot leaves out (deferred): secrets, and what the per-request check never reads.
SESSION_LEFT_OUT = {"refresh_jti", "user_agent", "ip"}
USER_LEFT_OUT = {"password"}
VERSION = 1  # of the snapshot's layout: a deploy that changes it must not read the old one


@functools.cache
def _layout() -> str:
    """A digest of the fields a snapshot holds: a migration that adds or drops one must not read the old ones."""
    names = (_attnames(LoginSession, SESSION_LEFT_OUT), _attnames(get_user_model(), USER_LEFT_OUT))
    return hashlib.sha256(repr((VERSION, names)).encode()).hexdigest()[:8]


def _snapshot_key(pk) -> str:
    return f"session:snapshot:{_layout()}:{pk}"


def _generation_key(user_id) -> str:
    return f"session:generation:{user_id}"


def _attnames(model, left_out: set[str]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.name not in left_out]


def session_snapshot(session: LoginSession) -> tuple:
    """Return what a snapshot keeps of `session` and its user: their field values, secrets left out."""
    user = session.user
    return (
        tuple(getattr(session, name) for name in _attnames(LoginSession, SESSION_LEFT_OUT)),
        tuple(getattr(user, name) for name in _attnames(type(user), USER_LEFT_OUT)),
    )


def session_from_snapshot(snapshot: tuple) -> LoginSession:
    """Rebuild the session and its user from `session_snapshot`'s values, as the database would load them."""
    session_values, user_values = snapshot
    User = get_user_model()
    session = LoginSession.from_db(LoginSession.objects.db, _attnames(LoginSession, SESSION_LEFT_OUT), session_values)
    user = User.from_db(User.objects.db, _attnames(User, USER_LEFT_OUT), user_values)
    LoginSession.user.field.set_cached_value(session, user)
    return session


def session_with_user_cached(pk: uuid.UUID, *, user_id, now: datetime) -> LoginSession | None:
    """Return `session_with_user(pk)`, from its snapshot when that is current (see above) for a check at `now`.

    `user_id` is whose session the caller expects (the token's claim): its generation is read with the snapshot.
    """
    if not clock_is_shared():
        return session_with_user(pk)
    snapshot_key, generation_key = _snapshot_key(pk), _generation_key(user_id)
    try:
        # ndfstudio.redis_cache's direct MGET where the cache is ours (settings.py); Django's own works too. A
        # snapshot and a generation are immutable (tuples, a str): each distinct one is unpickled once.
        direct = getattr(cache, "get_many_direct", None)
        keys = [snapshot_key, generation_key]
        found = direct(keys, immutable=True) if direct else cache.get_many(keys)
    except CACHE_ERRORS:
        logger.warning("session cache unavailable; reading the session from the database", exc_info=True)
        return session_with_user(pk)
    generation, snapshot = found.get(generation_key), found.get(snapshot_key)
    if generation is not None and snapshot is not None and snapshot[0] == generation:
        session = session_from_snapshot(snapshot[1])
        if now <= session.idle_at:
            return session
    if generation is None:
        generation = _generation_start(generation_key)
    session = session_with_user(pk)  # after reading the generation: see the module's docstring
    if generation is not None and _cacheable(session, user_id):
        try:
            cache.set(snapshot_key, (generation, session_snapshot(session)), timeout=SNAPSHOT_TTL_SECONDS)
        except CACHE_ERRORS:
            logger.warning("session cache unavailable; snapshot not kept", exc_info=True)
    return session


def _cacheable(session: LoginSession | None, user_id) -> bool:
    """Only an open session of an active user, the one expected, is worth a snapshot: the others are refused."""
    return (
        session is not None
        and session.ended_at is None
        and session.user.is_active
        and str(session.user_id) == str(user_id)
    )


def _generation_start(key: str) -> str | None:
    """Return the user's generation, starting one if there is none; None if the cache cannot say."""
    generation = secrets.token_hex(8)
    try:
        if cache.add(key, generation, timeout=GENERATION_TTL_SECONDS):
            return generation
        return cache.get(key)  # another process started it first (or a change set it): theirs it is
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
        cache.set(_generation_key(user_id), secrets.token_hex(8), timeout=GENERATION_TTL_SECONDS)
    except CACHE_ERRORS:
        # Their snapshots stay trusted until they expire (SNAPSHOT_TTL_SECONDS) if the cache comes back with them.
        logger.error("session cache unavailable; snapshots of user %s not made stale", user_id, exc_info=True)
