"""The Redis cache backend that keeps one redis-py client per connection pool."""

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from ndfstudio.redis_cache import ReusedClientRedisCache, redis_client
from tests.live import redis_available, redis_server, redis_url, require

REDIS_DB = 12


def test_one_client_per_pool_for_every_call():
    cache = ReusedClientRedisCache("redis://127.0.0.1:1/0", {})  # nothing is connected until a command runs
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=False) is client
    assert cache._cache.get_client("any key", write=True) is client
    assert client.connection_pool is cache._cache._get_connection_pool(True)


def test_it_is_a_working_cache():
    require(redis_available(), "Redis is not reachable")
    cache = ReusedClientRedisCache(redis_url(REDIS_DB), {"KEY_PREFIX": "ndf-reused-client-test"})
    try:
        cache.set("a", {"b": 1}, timeout=10)
        assert cache.add("c", 2, timeout=10) is True
        assert cache.add("c", 3, timeout=10) is False
        assert cache.get_many(["a", "c", "missing"]) == {"a": {"b": 1}, "c": 2}
    finally:
        cache.delete_many(["a", "c"])


def test_the_direct_hget_answers_as_redis_py_and_reconnects_after_a_restart():
    with redis_server() as server:
        cache = ReusedClientRedisCache(server.url, {"KEY_PREFIX": "direct", "OPTIONS": {"socket_timeout": 1}})
        key = cache.make_key("h")
        client = redis_client(cache, key)
        client.hset(key, "f", "v")
        assert cache.hget_direct("h", "f") == client.hget(key, "f") == b"v"
        assert cache.hget_direct("h", "missing") is None
        assert cache.hget_direct("missing", "f") is None
        server.stop()
        with pytest.raises(RedisConnectionError):  # raised to the caller, which falls back to the database
            cache.hget_direct("h", "f")
        server.start()  # an empty Redis on the same port: the next read connects again
        assert cache.hget_direct("h", "f") is None
        redis_client(cache, key).hset(key, "f", "w")
        assert cache.hget_direct("h", "f") == b"w"
