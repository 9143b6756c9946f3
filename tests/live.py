"""Real server processes for live tests: services to run on, a prepared database, gunicorn, and HTTP calls.

Typical use::

    with postgres_database() as database_url:
        env = server_env(DATABASE_URL=database_url, INACTIVITY_THRESHOLD_MINUTES="0.05")
        prepare_database(env, users={"alice": "pw"})
        with start_server(env) as a, start_server(env, migrate=False) as b:
            token = a.login("alice", "pw")["access"]
            assert b.call("GET", "/api/auth/me", token=token).status == 200

Live tests never use pytest-django's test database: every server gets its own environment. A service that is not
reachable skips the test, unless REQUIRE_SERVICES=1 (CI), where it fails it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Where the shared services live; override to point the live tests elsewhere.
POSTGRES_ADMIN_URL = os.environ.get("LIVE_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_HOST = os.environ.get("LIVE_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("LIVE_REDIS_PORT", "6379"))
SECRET_KEY = "live-test-secret-key-" + "x" * 40  # shared by every process of a test, as in a deployment

# gunicorn's flags, as `make run` passes them (tests/test_gunicorn.py holds the two together).
# Keep-alive 75 s (nginx's default; above a load balancer's usual 60 s idle timeout) and far from any client's
# polling interval: a connection is closed while idle, never just as a poll reuses it. Header fields up to 128 KiB
# reach the app, which answers them in JSON (an Authorization header over 4 KiB is a 401 token_not_valid); request
# lines up to 8190 bytes, gunicorn's maximum. Past those gunicorn itself answers, in HTML.
# Settings the servers must not inherit from the test run (pytest-django's settings, a developer's .env...).
_SCRUBBED = (
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_KEY_PREFIX",
    "BENCHMARK_PLAIN_JWT",
    "INACTIVITY_THRESHOLD_MINUTES",
    "MAX_TOKEN_LIFETIME_MINUTES",
    "SESSION_MAX_HOURS",
    "ACTIVITY_EXCLUDED_PATHS",
)


# --- services ---------------------------------------------------------------------------------------------


def services_required() -> bool:
    """Return whether a missing service fails the test instead of skipping it (REQUIRE_SERVICES=1, as in CI)."""
    return os.environ.get("REQUIRE_SERVICES", "") not in ("", "0")


def require(available: bool, reason: str) -> None:
    """Skip the test with `reason` when a service is missing, or fail it when services are required."""
    if available:
        return
    if services_required():
        pytest.fail(f"{reason} (REQUIRE_SERVICES is set)")
    pytest.skip(reason)


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=2):
            return True
    except Exception:
        return False


def redis_available(host: str = REDIS_HOST, port: int = REDIS_PORT) -> bool:
    try:
        import redis

        with redis.Redis(host=host, port=port, socket_connect_timeout=1, socket_timeout=1) as client:
            return bool(client.ping())
    except Exception:
        return False


def postgres_url(dbname: str) -> str:
    """Return the URL of database `dbname` on the live PostgreSQL server."""
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + dbname


def postgres_admin(sql: str, *params) -> None:
    """Run one statement on the server's maintenance database (outside a transaction, as CREATE DATABASE needs)."""
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql, params or None)


@contextmanager
def postgres_database(prefix: str = "ndf_live") -> Iterator[str]:
    """Create a fresh, empty PostgreSQL database; yield its URL; drop it (closing its connections) afterwards."""
    require(postgres_available(), f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    postgres_admin(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url(name)
    finally:
        postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_url(db: int) -> str:
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}"


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


# --- timelines in real time ------------------------------------------------------------------------------


class BehindSchedule(Exception):
    """The machine fell behind a scenario's timeline: what followed would prove nothing, so the scenario reruns."""


def on_schedule(condition: bool, what: str) -> None:
    """Check a timing precondition of a scenario; when it does not hold, abandon this run (see `rerun_if_late`)."""
    if not condition:
        raise BehindSchedule(what)


def rerun_if_late(scenario: Callable[[int], None], attempts: int = 3) -> None:
    """Run `scenario(attempt)` until one run keeps to its timeline; fail if none of `attempts` runs did.

    Only `BehindSchedule` reruns: a wrong answer fails at once. A timing check that fails every time (a request
    that really is slow) still fails the test, after `attempts` runs instead of one.
    """
    misses = []
    for attempt in range(attempts):
        try:
            return scenario(attempt)
        except BehindSchedule as exc:
            misses.append(str(exc))
    pytest.fail(f"behind schedule in all {attempts} runs: {misses}")


# --- the environment and the database of a server -----------------------------------------------------------


def server_env(**overrides: str) -> dict[str, str]:
    """Return an environment for a server process: production settings, a shared key, logs in a scratch folder.

    Pass DATABASE_URL (default: the SQLite file of the checkout, which is rarely what a test wants), REDIS_URL,
    INACTIVITY_THRESHOLD_MINUTES and so on as keyword arguments.
    """
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    env.update(
        DJANGO_SETTINGS_MODULE="ndfstudio.settings",
        SECRET_KEY=SECRET_KEY,
        DEBUG="false",
        REDIS_URL="",
        LOG_DIR=tempfile.mkdtemp(prefix="ndf-live-logs-"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path).resolve()}"


_PREPARE = """
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
User = get_user_model()
superusers = set(json.loads(sys.argv[2]))
for username, password in json.loads(sys.argv[1]).items():
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_staff = user.is_superuser = username in superusers
    user.save()
"""


def prepare_database(
    env: dict[str, str], *, users: dict[str, str] | None = None, superusers: tuple[str, ...] = ()
) -> None:
    """Migrate the database `env` names and create (or reset) `users` ({username: password}), in one process.

    The users named in `superusers` are staff with every permission (for the admin).
    """
    run_python(_PREPARE, json.dumps(users or {}), json.dumps(list(superusers)), env=env)


def run_python(code: str, *args: str, env: dict[str, str], timeout: float = 120) -> str:
    """Run `code` with the project's interpreter in the project folder; return its stdout or raise with stderr."""
    done = subprocess.run(  # noqa: S603
        [PYTHON, "-c", code, *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"python -c failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return done.stdout


# --- HTTP ---------------------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def code(self) -> str | None:
        """The `code` of a JSON error body, if any."""
        try:
            data = self.json()
        except ValueError:
            return None
        return data.get("code") if isinstance(data, dict) else None


def http(method: str, url: str, *, token: str | None = None, data: Any = None, timeout: float = 10) -> Reply:
    """Make one HTTP request and return its reply, whatever its status."""
    headers = {"Accept": "application/json"}
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return Reply(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return Reply(exc.code, dict(exc.headers), exc.read())


# --- servers ------------------------------------------------------------------------------------------------


@dataclass
class Server:
    """A gunicorn serving the project on 127.0.0.1, until `stop()` (or the end of its `with` block)."""

    port: int
    process: subprocess.Popen
    log_path: Path
    env: dict[str, str] = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def call(self, method: str, path: str, *, token: str | None = None, data: Any = None, timeout: float = 10):
        return http(method, self.url + path, token=token, data=data, timeout=timeout)

    def login(self, username: str, password: str) -> dict:
        """Log in through the real endpoint; return the JSON body (access, refresh, session_id...)."""
        reply = self.call("POST", "/api/auth/token/", data={"username": username, "password": password})
        if reply.status != 200:
            raise AssertionError(f"login failed: {reply.status} {reply.body[:300]!r}")
        return reply.json()

    def log(self) -> str:
        """Return what the server printed so far (for assertion messages)."""
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 30) -> None:
        """Wait until /healthz answers 200, or raise with the server's output."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log()[-4000:]}")
            try:
                if http("GET", self.url + "/healthz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout} s:\n{self.log()[-4000:]}")

    def freeze(self) -> None:
        """Stop answering (SIGSTOP to gunicorn and its workers): connections hang instead of failing."""
        os.killpg(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.killpg(self.process.pid, signal.SIGCONT)

    def stop(self, timeout: float = 10) -> None:
        """Stop gunicorn and its workers (SIGTERM, then SIGKILL); safe to call twice, and on a frozen server."""
        if self.process.poll() is None:
            self.thaw()
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout)
            except ProcessLookupError:
                pass
        self.process.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def start_server(
    env: dict[str, str],
    *,
    workers: int = 1,
    threads: int = 4,
    worker_class: str = "gthread",
    port: int | None = None,
    migrate: bool = True,
    users: dict[str, str] | None = None,
    wait: bool = True,
    extra_args: tuple[str, ...] = (),
    app: str = "ndfstudio.wsgi:application",
    under: tuple[str, ...] = (),
) -> Server:
    """Start gunicorn on `env` (see `server_env`) and return it once /healthz answers.

    Unless `migrate` is false, the database is migrated and `users` created first. Use the result as a context
    manager, or call `.stop()`. `under`: a command gunicorn runs under (the benchmark's valgrind).
    """
    if migrate or users:
        prepare_database(env, users=users)
    port = port or free_port()
    log_dir = Path(env.get("LOG_DIR") or tempfile.mkdtemp(prefix="ndf-live-logs-"))
    log_path = log_dir / f"gunicorn-{port}.out"
    command = [
        *under,
        PYTHON,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        worker_class,
        "--graceful-timeout",
        "2",
        "--config",
        "python:ndfstudio.gunicorn_conf",  # the access log of `make run`
        *extra_args,
    ]
    with open(log_path, "wb") as out:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(port=port, process=process, log_path=log_path, env=env)
    if wait:
        server.wait_ready()
    return server


# --- a private redis-server ---------------------------------------------------------------------------------


@dataclass
class RedisServer:
    """A throw-away `redis-server` without persistence, that a test may stop and start again on the same port."""

    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(  # noqa: S603
            [*command, "--daemonize", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while not redis_available("127.0.0.1", self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # a crash, not a clean shutdown
        if self.process is not None:
            self.process.wait(10)
        self.process = None

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1, socket_timeout=1)

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    """Start a private redis-server on a free port (skip, or fail under REQUIRE_SERVICES, if not installed)."""
    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    server = RedisServer(port=free_port())
    server.start()
    with server:
        yield server
