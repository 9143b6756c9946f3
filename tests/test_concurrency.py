"""Concurrent tracked requests on the embedded default (SQLite, two gunicorn workers): each logged exactly once."""

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.live import server_env, sqlite_url, start_server

pytestmark = pytest.mark.live

REQUESTS = 120


def audit_paths(server, tokens, expected, timeout=15.0):
    """Return the session's AUDIT paths once `expected` rows are there (other workers flush within their interval)."""
    deadline = time.monotonic() + timeout
    while True:
        reply = server.call("GET", "/api/logs/recent?category=AUDIT&limit=500", token=tokens["access"])
        rows = [r for r in reply.json()["results"] if r["session_id"] == tokens["session_id"]]
        if len(rows) >= expected or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def test_every_concurrent_tracked_request_is_logged_exactly_once(tmp_path):
    env = server_env(DATABASE_URL=sqlite_url(tmp_path / "db.sqlite3"))
    with start_server(env, workers=2, threads=4, users={"alice": "pw-alice-1"}) as server:
        tokens = server.login("alice", "pw-alice-1")
        paths = [f"/api/auth/me?n={n}" for n in range(REQUESTS)]
        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(lambda p: server.call("GET", p, token=tokens["access"]).status, paths))
        assert statuses == [200] * REQUESTS
        rows = audit_paths(server, tokens, REQUESTS)
        assert sorted(r["path"] for r in rows) == sorted(paths)
        assert {r["status_code"] for r in rows} == {200}
        assert "database is locked" not in server.log()


def test_queued_rows_are_written_when_the_server_stops(tmp_path):
    database = tmp_path / "db.sqlite3"
    # A flush interval far longer than the test: only the shutdown can write these rows.
    env = server_env(DATABASE_URL=sqlite_url(database), AUDIT_FLUSH_INTERVAL_SECONDS="600")
    server = start_server(env, workers=1, users={"alice": "pw-alice-1"})
    try:
        tokens = server.login("alice", "pw-alice-1")
        for n in range(5):
            assert server.call("GET", f"/api/auth/me?n={n}", token=tokens["access"]).status == 200
        with sqlite3.connect(database) as db:
            assert db.execute("SELECT COUNT(*) FROM activity_activitylog WHERE category = 'AUDIT'").fetchone() == (0,)
    finally:
        server.stop()  # SIGTERM: gunicorn's graceful shutdown
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM activity_activitylog WHERE category = 'AUDIT'").fetchone() == (5,)
