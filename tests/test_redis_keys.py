"""Nothing grows without bound in Redis: every key the product writes has a TTL, whatever traffic made it.

Against a private redis-server (tests/live.py), in process: login, requests, refresh, failed logins, logout, an
idle sign-out and its recovery, an expired token, the automatic prune's lease; then every key under the test's
prefix is read back with SCAN and must have a TTL.
"""

import pytest
import redis
from django.core.cache import cache

from accounts import login_counters, rejections
from activity import retention
from conftest import PASSWORD, me

pytestmark = pytest.mark.django_db


def keys_without_ttl(client, prefix) -> dict[str, int]:
    """Every key under `prefix` with what TTL answers for it: -1 (none) or -2 (gone since SCAN) fail."""
    ttls = {key.decode(): client.ttl(key) for key in client.scan_iter(f"{prefix}:*", count=1000)}
    return {key: ttl for key, ttl in ttls.items() if ttl <= 0}


def kinds(client, prefix) -> set[str]:
    """What the keys are, without their session, digest, window or day: `activity:clock`, `login:login_ip`, ..."""
    return {":".join(key.decode().split(":")[2:4]) for key in client.scan_iter(f"{prefix}:*", count=1000)}


def test_every_key_that_traffic_leaves_has_a_ttl(
    redis_cache, user, login, api, client_with, frozen, monkeypatch, settings
):
    client, prefix = redis_cache
    first = login()
    assert me(client_with(first["access"])).status_code == 200
    assert client_with(first["access"]).post("/api/auth/session/extend").status_code == 200
    assert client_with(first["access"]).get("/api/auth/session").status_code == 200
    assert api.post("/api/auth/token/refresh/", {"refresh": first["refresh"]}, format="json").status_code == 200
    for _ in range(2):
        wrong = api.post("/api/auth/token/", {"username": "alice", "password": "wrong"}, format="json")
        assert wrong.status_code == 401
    signed_out = login()
    assert client_with(signed_out["access"]).post("/api/auth/logout").status_code == 204
    idle = login()
    frozen.shift(21 * 60)
    assert me(client_with(idle["access"])).json()["code"] == "token_inactive"
    recovered = api.post("/api/auth/recover", {"refresh": idle["refresh"], "password": PASSWORD}, format="json")
    assert recovered.status_code == 200
    frozen.shift(40 * 60)  # the first access token is past its hard lifetime: counted, not logged
    assert me(client_with(first["access"])).json()["code"] == "token_expired"
    settings.ACTIVITY = {**settings.ACTIVITY, "PRUNE_INTERVAL_SECONDS": 3600}
    monkeypatch.setattr(retention.threading, "Thread", NotStarted)  # the lease is taken; the prune is not our point
    assert retention.activity_log_prune_if_due() is True

    assert kinds(client, prefix) == {
        "activity:clock",
        "activity:prune-lease",
        "accounts:token_expired",
        "login:login_ip",
        "login:login_username",
        "login:login_username_all_sources",
        "session:generations",
    }
    assert keys_without_ttl(client, prefix) == {}


class ExpiresAfterExists(redis.Redis):
    """A Redis client whose EXISTS says yes and then the key is gone: a key that expired between the cache's EXISTS
    and INCR/DECR (Django's RedisCache.incr checks first), which Redis then makes again from nothing, without TTL."""

    def exists(self, *names):
        self.delete(*names)
        return len(names)


class NotStarted:
    def __init__(self, **kwargs):
        pass

    def start(self):
        pass


def racing(monkeypatch):
    monkeypatch.setattr(cache._cache, "_client", ExpiresAfterExists)


def test_a_counter_that_expires_between_exists_and_incr_still_gets_a_ttl(redis_cache, monkeypatch):
    client, prefix = redis_cache
    cache.set("login:login_ip:x:1", 1, timeout=60)  # the window's count so far: add() fails, so it increments
    racing(monkeypatch)
    assert login_counters._cache_add("login:login_ip:x:1", 59.5) == 1  # counted again from one
    rejections._count_expired("access")
    assert 0 < client.ttl(f"{prefix}:1:login:login_ip:x:1") <= 61
    assert keys_without_ttl(client, prefix) == {}


def test_taking_back_a_count_that_expired_between_exists_and_decr_leaves_no_key(redis_cache, monkeypatch):
    client, prefix = redis_cache
    cache.set("login:login_ip:x:1", 1, timeout=60)
    racing(monkeypatch)
    login_counters.counters_subtract(login_counters.CACHE, ["login:login_ip:x:1"])
    assert list(client.scan_iter(f"{prefix}:*")) == []


def test_the_clock_keeps_a_moment_until_the_session_maximum_at_most(redis_cache, user, login, frozen):
    client, prefix = redis_cache
    body = login()
    (key,) = client.scan_iter(f"{prefix}:*activity:clock:*")
    assert list(client.hgetall(key)) == [f"{body['session_id']}:login".encode()]
    assert 12 * 3600 - 5 <= client.ttl(key) <= 12 * 3600 + 1
