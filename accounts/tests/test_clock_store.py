"""The clock's two stores agree: plain cache keys (any shared cache) and the hashes it keeps on Redis."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from accounts.clock_store import clock_store_read, clock_store_write
from accounts.models import LoginSession

T0 = datetime(2026, 1, 5, 9, 0, 30, tzinfo=UTC)
NAMES = ("login", "extend", "read", "write")


def session(digit: str, *, created=T0, hours=12) -> LoginSession:
    """A session (unsaved: the stores never read the database) whose id starts with `digit`."""
    pk = uuid.UUID(digit + uuid.uuid4().hex[1:])
    return LoginSession(pk=pk, created_at=created, expires_at=created + timedelta(hours=hours))


def keep_and_read_back() -> list[dict]:
    a, b, c = session("a"), session("a", hours=13), session("b")
    moments = [
        (a, "login", T0),
        (a, "read", T0 + timedelta(seconds=1, microseconds=234567)),
        (a, "read", T0 + timedelta(seconds=3, microseconds=1)),  # a later moment replaces the earlier one
        (b, "write", T0 + timedelta(seconds=2)),
        (c, "extend", T0 + timedelta(seconds=4)),
    ]
    for s, name, at in moments:
        clock_store_write(session=s, activity_type=name, at=at)
    return [clock_store_read(session=s, names=NAMES) for s in (a, b, c, session("a"))]


EXPECTED = [
    {"login": T0, "read": T0 + timedelta(seconds=3, microseconds=1)},
    {"write": T0 + timedelta(seconds=2)},
    {"extend": T0 + timedelta(seconds=4)},
    {},
]


def test_plain_keys_keep_each_moment_exactly():
    assert keep_and_read_back() == EXPECTED  # the suite's cache: local memory, the plain version


def test_redis_hashes_keep_the_same(redis_cache):
    assert keep_and_read_back() == EXPECTED


def test_sessions_of_one_minute_and_first_digit_share_a_hash_kept_until_their_last_maximum(redis_cache):
    client, prefix = redis_cache
    keep_and_read_back()
    minute = int(T0.timestamp()) // 60
    keys = {key.decode(): client.hlen(key) for key in client.scan_iter(f"{prefix}:*")}
    assert keys == {f"{prefix}:1:activity:clock:{minute}:a": 3, f"{prefix}:1:activity:clock:{minute}:b": 1}
    # Written at T0 + 3 s at the latest by a session whose maximum is T0 + 13 h: pushed out to then (plus a second).
    assert client.ttl(f"{prefix}:1:activity:clock:{minute}:a") == pytest.approx(13 * 3600 + 1, abs=2)
    assert client.ttl(f"{prefix}:1:activity:clock:{minute}:b") == pytest.approx(12 * 3600 - 3, abs=2)
