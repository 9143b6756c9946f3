"""Django's Redis cache, with one redis-py client per connection pool instead of a new one for every call."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django builds a `redis.Redis` for every cache call, and redis-py's constructor copies its table of ~170
    response callbacks each time: about as long as the round trip itself on the per-request path. A client is
    only a handle on its pool and safe to share between threads, so one per pool does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
