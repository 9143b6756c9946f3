"""Django's Redis cache, with one redis-py client per connection pool instead of a new one for every call, and a
direct MGET for the per-request path."""

import functools
import os
import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django builds a `redis.Redis` for every cache call, and redis-py's constructor copies its table of ~170
    response callbacks each time: about as long as the round trip itself on the per-request path. A client is
    only a handle on its pool and safe to share between threads, so one per pool does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._own = threading.local()  # this thread's connection for get_many_direct, and the process it is of
        self._loads_once = functools.lru_cache(maxsize=1024)(self._serializer.loads)

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client

    def get_many_direct(self, keys: list[str], *, immutable: bool = False) -> dict:
        """`get_many` as one MGET on this thread's own connection, past redis-py's pool, retry and response
        layers, which cost as much as the round trip itself. Any error drops the connection and is raised: the
        next call connects again (no retry here; the per-request caller falls back to the database).

        `immutable`: the values are immutable (tuples of plain values), so each distinct stored value is unpickled
        once (the last 1,024) and the same object returned for the same bytes."""
        own = self._own
        if getattr(own, "pid", None) != os.getpid():  # a forked worker opens its own
            pool = self._get_connection_pool(False)
            own.connection, own.pid = pool.connection_class(**pool.connection_kwargs), os.getpid()
        try:
            own.connection.send_command("MGET", *keys)
            values = own.connection.read_response()
        except BaseException:
            own.connection.disconnect()
            raise
        loads = self._loads_once if immutable else self._serializer.loads
        return {key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None}


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def get_many_direct(self, keys: list[str], *, immutable: bool = False) -> dict:
        """`get_many`, faster (ReusedClientRedisCacheClient.get_many_direct); keys are not validated."""
        made = {self.make_key(key): key for key in keys}
        found = self._cache.get_many_direct(list(made), immutable=immutable)
        return {made[key]: value for key, value in found.items()}
