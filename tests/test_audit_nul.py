"""A NUL byte in a request never stops the audit log: PostgreSQL, two real gunicorn workers, every row kept.

PostgreSQL refuses NUL in text. Before rows were scrubbed, one such row failed its whole batch, which was retried
forever, so the process that served it wrote no further AUDIT row. Here N tracked requests run beside requests
carrying NUL and every one of them must have its row. (A NUL in a header never reaches us: gunicorn answers 400.)
"""

import http.client
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.live import postgres_database, server_env, start_server

pytestmark = pytest.mark.live

N = 400  # tracked GET /api/auth/me
BAD_PATHS = ["/api/auth/sessions/%00", "/api/auth/sessions/a%00b%0d%0a", "/api/auth/sessions/%00%1b%c0"]
BAD_AGENTS = ["evil\x00agent", "\x00"]


def send(server, method, path, token, agent="live-test"):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(method, path, headers={"Authorization": f"Bearer {token}", "User-Agent": agent})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def count_rows(env, where):
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as db:
        return db.execute(f"SELECT count(*) FROM activity_activitylog WHERE {where}").fetchone()[0]  # noqa: S608


def test_no_audit_row_is_lost_to_a_nul_byte():
    with postgres_database("ndf_nul") as database_url:
        env = server_env(DATABASE_URL=database_url, LOG_LEVEL="INFO")
        with start_server(env, workers=2, users={"alice": "alice-live-password"}) as server:
            token = server.login("alice", "alice-live-password")["access"]
            bad = [("DELETE", path, "live-test") for path in BAD_PATHS] * 10
            bad += [("GET", "/api/auth/me", agent) for agent in BAD_AGENTS] * 10
            good = [("GET", "/api/auth/me", "live-test")] * N
            calls = good[: N // 2] + bad + good[N // 2 :]  # the bad ones in the middle of the load
            with ThreadPoolExecutor(max_workers=16) as pool:
                statuses = list(pool.map(lambda call: send(server, call[0], call[1], token, call[2]), calls))
        # gunicorn stopped gracefully: every process wrote what it had queued
        bad_sessions = len(BAD_PATHS) * 10
        assert statuses.count(200) == N
        assert statuses.count(404) == bad_sessions  # no such session: a 404, never a 500
        assert statuses.count(400) == len(BAD_AGENTS) * 10  # gunicorn refuses them before they reach Django
        good_rows = count_rows(env, "category = 'AUDIT' AND path = '/api/auth/me' AND user_agent = 'live-test'")
        print(f"\nAUDIT rows of {N} tracked requests: {good_rows} written, {N - good_rows} lost")
        assert good_rows == N
        assert count_rows(env, "category = 'AUDIT' AND path LIKE '/api/auth/sessions/%'") == bad_sessions
        assert count_rows(env, "category = 'ERROR'") == 0
