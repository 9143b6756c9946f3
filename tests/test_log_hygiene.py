"""No password, token, cookie or Authorization header in any log row or log file, whatever the client sends."""

import sqlite3

import pytest

from tests.live import server_env, sqlite_url, start_server

pytestmark = pytest.mark.live

PASSWORD = "correct-horse-battery-staple-41"
WRONG = "wrong-password-hunter2-77"


def test_secrets_never_reach_the_logs(tmp_path):
    database, logs = tmp_path / "db.sqlite3", tmp_path / "logs"
    env = server_env(DATABASE_URL=sqlite_url(database), LOG_DIR=str(logs), LOG_LEVEL="INFO")
    with start_server(env, users={"alice": PASSWORD}) as server:
        assert server.call("POST", "/api/auth/token/", data={"username": "alice", "password": WRONG}).status == 401
        tokens = server.login("alice", PASSWORD)
        secrets = {PASSWORD, WRONG, tokens["access"], tokens["refresh"]}
        access = tokens["access"]
        assert server.call("GET", f"/api/auth/me?token={access}&access={access}", token=access).status == 200
        refreshed = server.call("POST", "/api/auth/token/refresh/", data={"refresh": tokens["refresh"]}).json()
        secrets |= {refreshed["access"], refreshed["refresh"]}
        assert server.call("GET", "/api/auth/me", token=access + "x").status == 401  # an invalid token, logged
        assert server.call("POST", "/api/auth/logout/", token=refreshed["access"]).status == 204
    # The server stopped: every queued row is written.
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT * FROM activity_activitylog").fetchall()
    events = {row[3] for row in rows}
    assert {"login_failed", "login_succeeded", "api_request", "token_not_valid", "logout"} <= events
    files = {path.name: path.read_text() for path in logs.iterdir() if path.name.startswith("ndfstudio.log")}
    assert "API request: GET /api/auth/me" in files["ndfstudio.log"]
    everything = repr(rows) + "".join(files.values())
    for secret in secrets:
        for part in secret.split("."):  # not even one segment of a token
            if len(part) > 16:
                assert part not in everything
    assert "?token=[redacted]&access=[redacted]" in repr(rows)
