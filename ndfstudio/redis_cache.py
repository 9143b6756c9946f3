"""Django's Redis cache, with one redis-py client per connection pool instead of a new one for every call, and a
direct HGET for the per-request path."""

import os
import threading

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient


def default_redis() -> RedisCache | None:
    """The default cache if it is a Redis one (this module's or Django's own), else None: for what only Redis can
    keep (hashes: accounts/clock_store.py, accounts/session_cache.py)."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    return backend if isinstance(backend, RedisCache) else None


def redis_client(backend: RedisCache, key: str):
    """The redis-py client that serves `key` (a made key): Django's RedisCache has no public way to reach hashes."""
    return backend._cache.get_client(key, write=True)


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django builds a `redis.Redis` for every cache call, and redis-py's constructor copies its table of ~170
    response callbacks each time: about as long as the round trip itself on the per-request path. A client is
    only a handle on its pool and safe to share between threads, so one per pool does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._own = threading.local()  # this thread's connection for `direct`, and the process it is of

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client

    def direct(self, *command):
        """Send one command on this thread's own connection, past redis-py's pool, retry and response layers, which
        cost as much as the round trip itself; return its raw reply. Any error drops the connection and is raised:
        the next call connects again (no retry here; the per-request caller falls back to the database)."""
        own = self._own
        if getattr(own, "pid", None) != os.getpid():  # a forked worker opens its own
            pool = self._get_connection_pool(False)
            own.connection, own.pid = pool.connection_class(**pool.connection_kwargs), os.getpid()
        try:
            own.connection.send_command(*command)
            return own.connection.read_response()
        except BaseException:
            own.connection.disconnect()
            raise


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def hget_direct(self, key: str, field: str) -> bytes | None:
        """HGET of `field` in the hash `key` (named as `make_key` names it), raw, on this thread's own connection
        (ReusedClientRedisCacheClient.direct); the key is not validated."""
        return self._cache.direct("HGET", self.make_key(key), field)
