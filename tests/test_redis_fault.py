"""Redis going away mid-traffic degrades to the database (still correct), and its return is picked up live.

A private redis-server is crashed and restarted on the same port under a running server; nothing is restarted.
"""

import time

import pytest

from tests.live import on_schedule, redis_server, rerun_if_late, server_env, sqlite_url, start_server

pytestmark = pytest.mark.live

THRESHOLD = 3.0  # seconds
USERNAME, PASSWORD = "alice", "alice-live-password"
PREFIX = "ndf-fault"


def clock_fields(redis) -> set[bytes]:
    """The clock's moments in Redis, named `<session id>:<activity type>` (accounts/clock_store.py)."""
    with redis.client() as client:
        return {field for key in client.scan_iter(f"{PREFIX}:*activity:clock:*") for field in client.hkeys(key)}


def me(server, token):
    return server.call("GET", "/api/auth/me", token=token)


def assert_inactive(reply):
    assert reply.status == 401, (reply.status, reply.body)
    assert reply.code == "token_inactive", reply.body


def test_requests_stay_correct_while_redis_is_down_and_redis_is_used_again_once_back(tmp_path):
    rerun_if_late(lambda attempt: redis_goes_and_comes_back(tmp_path / f"run-{attempt}"))


def redis_goes_and_comes_back(folder):
    folder.mkdir()
    with redis_server() as redis:
        env = server_env(
            DATABASE_URL=sqlite_url(folder / "db.sqlite3"),
            REDIS_URL=redis.url,
            CACHE_KEY_PREFIX=PREFIX,
            INACTIVITY_THRESHOLD_MINUTES=str(THRESHOLD / 60),
        )
        with start_server(env, users={USERNAME: PASSWORD}) as server:
            active = server.login(USERNAME, PASSWORD)
            idle = server.login(USERNAME, PASSWORD)
            logged_in = time.monotonic()
            assert me(server, active["access"]).status == 200
            assert any(active["session_id"].encode() in key for key in clock_fields(redis)), "the clock is in Redis"

            redis.stop()  # killed mid-traffic

            time.sleep(1.5)
            started = time.monotonic()
            reply = me(server, active["access"])
            active_at = time.monotonic()
            # A dead Redis must fail fast (a connection refused, or the 0.5 s timeouts). One slow reply may be the
            # machine's fault, so the whole run is repeated; a Redis that really slows requests is slow every time.
            on_schedule(active_at - started < 2.0, f"with Redis dead, a request took {active_at - started:.2f} s")
            assert reply.status == 200, reply.body  # degraded to the database, not to an error

            time.sleep(max(0.0, logged_in + THRESHOLD + 0.8 - time.monotonic()))
            assert time.monotonic() - logged_in > THRESHOLD + 0.5
            replies = me(server, active["access"]), me(server, idle["access"]), me(server, idle["access"])
            # Sent past the threshold since `idle` logged in, and answered within it since `active` was last active.
            on_schedule(time.monotonic() - active_at < THRESHOLD - 0.5, "the replies came too late after the activity")
            # Only the database knew the activity served while Redis was down: it keeps `active` alive...
            assert replies[0].status == 200, replies[0].body
            # ...and still lets `idle` go idle: no cache, no free pass.
            assert_inactive(replies[1])
            assert_inactive(replies[2])

            redis.start()  # same port, empty: the server must pick it up without a restart
            assert clock_fields(redis) == set()
            assert me(server, active["access"]).status == 200
            deadline = time.monotonic() + 5
            while not any(active["session_id"].encode() in key for key in clock_fields(redis)):
                assert time.monotonic() < deadline, "the server did not write its clock to the restarted Redis"
                time.sleep(0.1)
                assert me(server, active["access"]).status == 200
            assert_inactive(me(server, idle["access"]))
