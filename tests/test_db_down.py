"""The database going away mid-run: 503 with a JSON body, never an accepted token; its return is picked up live.

The server runs on a fresh PostgreSQL database, which is taken away under it (its connections killed and the
database renamed, so that reconnecting fails with "database does not exist") and then given back.
"""

import time

import psycopg
import pytest

from tests.live import postgres_admin, postgres_database, server_env, start_server

pytestmark = pytest.mark.live

USERNAME, PASSWORD = "alice", "alice-live-password"


class Outage:
    """Takes the database `name` away from its clients, and gives it back."""

    def __init__(self, name: str):
        self.name = name
        self.away = f"{name}_away"
        self.down = False

    def start(self) -> None:
        for _ in range(50):
            postgres_admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", self.name)
            try:
                postgres_admin(f'ALTER DATABASE "{self.name}" RENAME TO "{self.away}"')
            except psycopg.errors.ObjectInUse:  # a client reconnected in between: kill it again
                time.sleep(0.05)
                continue
            self.down = True
            return
        raise RuntimeError("could not take the database away")

    def end(self) -> None:
        if self.down:
            postgres_admin(f'ALTER DATABASE "{self.away}" RENAME TO "{self.name}"')
            self.down = False


@pytest.fixture
def live(request):
    """A server on a fresh PostgreSQL database, a logged-in session on it, and an outage ready to start."""
    with postgres_database("ndf_down") as database_url:
        env = server_env(DATABASE_URL=database_url, CONN_MAX_AGE="60")
        with start_server(env, users={USERNAME: PASSWORD}) as server:
            session = server.login(USERNAME, PASSWORD)
            outage = Outage(database_url.rsplit("/", 1)[1])
            try:
                yield server, session, outage
            finally:
                outage.end()


def assert_unavailable(reply) -> None:
    assert reply.status == 503, (reply.status, reply.body)
    assert reply.headers.get("Content-Type", "").startswith("application/json"), reply.headers
    body = reply.json()
    assert body["code"] == "service_unavailable", body
    assert body["detail"], body


def test_bearer_requests_get_503_json_while_the_database_is_away_and_200_once_it_is_back(live):
    server, session, outage = live
    token = session["access"]
    assert server.call("GET", "/api/auth/me", token=token).status == 200

    outage.start()
    for _ in range(3):  # every request, not just the one that found the connection dead
        assert_unavailable(server.call("GET", "/api/auth/me", token=token))
    assert_unavailable(server.call("GET", "/api/auth/session", token=token))  # passive paths check too
    assert_unavailable(server.call("POST", "/api/auth/session/extend", token=token))
    assert_unavailable(server.call("GET", "/api/logs/recent", token=token))
    assert_unavailable(server.call("POST", "/api/auth/logout/", token=token))
    health = server.call("GET", "/healthz")
    assert health.status == 503
    assert health.json() == {
        "detail": "The service is temporarily unavailable; try again shortly.",
        "code": "service_unavailable",
        "status": "unavailable",
        "database": "unreachable",
    }
    assert health.headers["Retry-After"] == "5"

    outage.end()
    reply = server.call("GET", "/api/auth/me", token=token)
    assert reply.status == 200, reply.body  # back without a restart: the dead connections were replaced
    assert reply.json()["username"] == USERNAME
    assert server.call("GET", "/healthz").status == 200


def test_token_endpoints_get_503_json_while_the_database_is_away(live):
    server, session, outage = live
    outage.start()
    login = server.call("POST", "/api/auth/token/", data={"username": USERNAME, "password": PASSWORD})
    refresh = server.call("POST", "/api/auth/token/refresh/", data={"refresh": session["refresh"]})
    assert "access" not in login.body.decode() and "access" not in refresh.body.decode()  # never a token
    assert_unavailable(login)
    assert_unavailable(refresh)
