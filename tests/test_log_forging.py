"""No client can forge a line in the logs: CR, LF and ESC in a URL reach neither log raw (real gunicorn)."""

import re
import socket

import pytest

from tests.live import server_env, sqlite_url, start_server

pytestmark = pytest.mark.live

FORGED = "SECURITY login_succeeded user=1"
# Percent-encoded in the request line; gunicorn decodes them into the path the logs are given.
PATH = "/api/auth/sessions/x%0d%0a" + FORGED.replace(" ", "%20") + "%1b[2K"


def raw_request(port, path, token=None):
    """Send one request byte for byte (an HTTP library would refuse or re-encode the path); return its status."""
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"DELETE {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Connection: close\r\n\r\n".encode())
        reply = sock.makefile("rb").readline()
    return int(reply.split()[1])


def test_control_characters_are_escaped_in_every_log(tmp_path):
    logs = tmp_path / "logs"
    env = server_env(DATABASE_URL=sqlite_url(tmp_path / "db.sqlite3"), LOG_DIR=str(logs), LOG_LEVEL="INFO")
    with start_server(env, users={"alice": "alice-live-password"}) as server:
        token = server.login("alice", "alice-live-password")["access"]
        assert raw_request(server.port, PATH) == 401  # no sign-in needed to reach the access log
        assert raw_request(server.port, PATH, token) == 404  # tracked: an AUDIT row and a line in the file
    for name, text in [("access log", server.log()), ("ndfstudio.log", (logs / "ndfstudio.log").read_text())]:
        assert "\x1b" not in text and "\r" not in text, name
        forged = [line for line in text.splitlines() if line.startswith(FORGED)]
        assert forged == [], name
        assert "x\\x0d\\x0a" + FORGED + "\\x1b[2K" in text, name
    access = [line for line in server.log().splitlines() if '"DELETE /api/auth/sessions/' in line]
    assert [re.search(r'" (\d+) ', line).group(1) for line in access] == ["401", "404"]
