"""Concurrent tracked requests on the embedded default (SQLite, two gunicorn workers): each logged exactly once."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.live import server_env, sqlite_url, start_server

pytestmark = pytest.mark.live

REQUESTS = 120


def test_every_concurrent_tracked_request_is_logged_exactly_once(tmp_path):
    env = server_env(DATABASE_URL=sqlite_url(tmp_path / "db.sqlite3"))
    with start_server(env, workers=2, threads=4, users={"alice": "pw-alice-1"}) as server:
        tokens = server.login("alice", "pw-alice-1")
        paths = [f"/api/auth/me?n={n}" for n in range(REQUESTS)]
        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(lambda p: server.call("GET", p, token=tokens["access"]).status, paths))
        assert statuses == [200] * REQUESTS
        reply = server.call("GET", "/api/logs/recent?category=AUDIT&limit=500", token=tokens["access"])
        rows = [r for r in reply.json()["results"] if r["session_id"] == tokens["session_id"]]
        assert sorted(r["path"] for r in rows) == sorted(paths)
        assert {r["status_code"] for r in rows} == {200}
        assert "database is locked" not in server.log()
