"""Login throttles under real parallel load on two gunicorn workers, and with Redis killed, hung and restarted.

Each test prints its figures (run with -s to see them).
"""

import os
import signal
import sqlite3
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.live import postgres_database, redis_server, server_env, sqlite_url, start_server

pytestmark = pytest.mark.live

USERNAME, PASSWORD = "alice", "alice-live-password"
PARALLEL = 100
PER_USERNAME, PER_IP = 5, 30  # the default limits (LOGIN_FAILURES_PER_USERNAME, LOGIN_FAILURES_PER_IP)


@pytest.fixture(params=["sqlite", "postgres+redis"])
def env(request, tmp_path):
    """The environment of a fresh deployment: one SQLite file alone, or PostgreSQL with a private Redis."""
    if request.param == "sqlite":
        yield server_env(DATABASE_URL=sqlite_url(tmp_path / "db.sqlite3"))
        return
    with postgres_database("ndf_thr") as database_url, redis_server() as redis:
        yield server_env(DATABASE_URL=database_url, REDIS_URL=redis.url, CACHE_KEY_PREFIX=f"thr-{uuid.uuid4().hex[:6]}")


def away_from_a_window_edge() -> None:
    """Start a burst well inside one fixed one-minute window, so that all of it is counted in that window."""
    into = time.time() % 60
    if into > 45:
        time.sleep(60.5 - into)


def burst(server, payloads) -> Counter:
    """Send every payload at once (one thread each); return how many got each status."""
    away_from_a_window_edge()
    with ThreadPoolExecutor(max_workers=len(payloads)) as pool:
        replies = pool.map(lambda data: server.call("POST", "/api/auth/token/", data=data, timeout=60), payloads)
        return Counter(reply.status for reply in replies)


def test_parallel_wrong_logins_for_one_username_are_evaluated_up_to_its_limit(env, request):
    with start_server(env, workers=2, threads=8, users={USERNAME: PASSWORD}) as server:
        statuses = burst(server, [{"username": USERNAME, "password": f"wrong-{n}"} for n in range(PARALLEL)])
    print(f"\n[{request.node.callspec.id}] {PARALLEL} parallel wrong logins, one username, one IP: {dict(statuses)}")
    assert statuses == {401: PER_USERNAME, 429: PARALLEL - PER_USERNAME}


def test_parallel_wrong_logins_from_one_ip_are_evaluated_up_to_its_limit(env, request):
    with start_server(env, workers=2, threads=8, users={USERNAME: PASSWORD}) as server:
        statuses = burst(server, [{"username": f"user{n}", "password": "wrong"} for n in range(PARALLEL)])
    print(
        f"\n[{request.node.callspec.id}] {PARALLEL} parallel wrong logins, distinct usernames, one IP: {dict(statuses)}"
    )
    assert statuses == {401: PER_IP, 429: PARALLEL - PER_IP}


def test_logins_keep_working_while_redis_is_killed_hung_and_restarted(tmp_path):
    database = tmp_path / "db.sqlite3"
    with redis_server() as redis:
        env = server_env(DATABASE_URL=sqlite_url(database), REDIS_URL=redis.url, CACHE_KEY_PREFIX="thr-fault")
        phases = ("redis up", "redis killed", "redis hung", "redis restarted")
        users = {"bob": "bob-live-password", **{phase.replace(" ", "-"): PASSWORD for phase in phases}}
        with start_server(env, workers=2, threads=4, users=users) as server:
            answers: dict[str, Counter] = {}

            def sign_in_and_out(phase: str, rounds: int = 4) -> None:
                username = phase.replace(" ", "-")  # one user per phase: each starts with no failure counted
                for _ in range(rounds):  # enough to reach both workers
                    started = time.monotonic()
                    wrong = server.call("POST", "/api/auth/token/", data={"username": username, "password": "nope"})
                    right = server.call("POST", "/api/auth/token/", data={"username": username, "password": PASSWORD})
                    statuses = [wrong.status, right.status]
                    if right.status == 200:
                        tokens = right.json()
                        renewed = server.call("POST", "/api/auth/token/refresh/", data={"refresh": tokens["refresh"]})
                        statuses.append(renewed.status)
                        if renewed.status == 200:
                            out = server.call("POST", "/api/auth/logout/", token=renewed.json()["access"])
                            statuses.append(out.status)
                    # Hung, each Redis call waits out its 0.5 s socket timeout: a round takes ~3.7 s alone, 6.0 s was
                    # seen under the whole suite's load. A hang without timeouts would take minutes.
                    assert time.monotonic() - started < 8, f"{phase}: a Redis outage must not hang sign-ins"
                    answers.setdefault(phase, Counter()).update(statuses)

            sign_in_and_out("redis up")
            redis.stop()  # killed
            outage_started = time.time()
            sign_in_and_out("redis killed")
            # The limits still hold, counted in the database: not open.
            away_from_a_window_edge()
            for _ in range(PER_USERNAME):
                assert server.call("POST", "/api/auth/token/", data={"username": "bob", "password": "x"}).status == 401
            limited = server.call("POST", "/api/auth/token/", data={"username": "bob", "password": "bob-live-password"})
            assert limited.status == 429
            redis.start()
            os.kill(redis.process.pid, signal.SIGSTOP)  # hung: connections open, nothing answers
            try:
                time.sleep(PAUSE := 5.5)  # past the pause a process takes after a failure: Redis is tried again
                sign_in_and_out("redis hung")
            finally:
                os.kill(redis.process.pid, signal.SIGCONT)
            outage_ended = time.time()
            time.sleep(PAUSE)
            sign_in_and_out("redis restarted")
    print("\nanswers while Redis is killed, hung and restarted:", {k: dict(v) for k, v in answers.items()})
    statuses = Counter()
    for phase in answers.values():
        statuses.update(phase)
    assert not [status for status in statuses if status >= 500], answers
    assert all(answers[phase] == Counter({401: 4, 200: 8, 204: 4}) for phase in phases), answers
    with sqlite3.connect(database) as db:
        errors = db.execute("SELECT event FROM activity_activitylog WHERE category = 'ERROR'").fetchall()
    windows = {int(outage_started // 300), int(outage_ended // 300)}  # at most one row per 5-minute window
    assert 1 <= len(errors) <= len(windows), errors
    assert set(errors) == {("login_throttle_degraded",)}
