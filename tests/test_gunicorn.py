"""How gunicorn serves the app (`make run` and the live tests alike): kept-alive connections and header limits."""

import http.client
import re
import time

import pytest

from ndfstudio import gunicorn_conf
from tests.live import PROJECT_DIR, server_env, sqlite_url, start_server

# The UI polls every 30 s and 120 s (config), clients commonly every few seconds: none near the keep-alive.
KEEP_ALIVE_SECONDS = 75


def test_make_run_serves_with_the_config_the_live_tests_use():
    recipe = (PROJECT_DIR / "Makefile").read_text().split("\nrun: ", 1)[1].split("\n\n", 1)[0]
    assert "--config python:ndfstudio.gunicorn_conf" in re.sub(r"\s*\\\n\s*", " ", recipe)
    assert '"python:ndfstudio.gunicorn_conf"' in (PROJECT_DIR / "tests" / "live.py").read_text()
    assert (gunicorn_conf.keepalive, gunicorn_conf.limit_request_field_size) == (KEEP_ALIVE_SECONDS, 131072)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = server_env(DATABASE_URL=sqlite_url(tmp_path_factory.mktemp("gunicorn") / "db.sqlite3"))
    with start_server(env, users={"alice": "pw-alice-123"}) as server:
        yield server


@pytest.mark.live
def test_a_client_polling_around_the_old_keep_alive_never_sees_a_dropped_request(server):
    # gunicorn's default keep-alive was 2 s: a client polling every ~2 s reused a connection the server had just
    # closed. http.client never checks a kept connection before reusing it, as the clients that failed did not.
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", "/api/auth/config")
        assert connection.getresponse().read() and connection.sock is not None
        sock = connection.sock
        for pause in (1.9, 2.0, 2.1, 3.0):
            time.sleep(pause)
            connection.request("GET", "/api/auth/config")  # a dropped connection raises RemoteDisconnected
            response = connection.getresponse()
            assert response.status == 200
            response.read()
            assert connection.sock is sock  # the same connection, kept alive
    finally:
        connection.close()


@pytest.mark.live
def test_a_70_kb_authorization_header_is_a_json_401(server):
    status, content_type, body = raw_get(server.port, "/api/auth/me", {"Authorization": "Bearer " + "x" * 70_000})
    assert (status, content_type) == (401, "application/json")
    assert body.startswith(b'{"detail":"Authorization header is too long","code":"token_not_valid"}')


@pytest.mark.live
def test_a_70_kb_header_reaches_the_app(server):
    status, content_type, _ = raw_get(server.port, "/api/auth/config", {"X-Padding": "x" * 70_000})
    assert (status, content_type) == (200, "application/json")


def raw_get(port: int, path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
    """GET with exactly these headers (urllib would add its own); return the status, content type and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()
