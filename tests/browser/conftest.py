"""Browser tests' fixtures: live gunicorn servers with thresholds of seconds, and Debian's Chromium via Playwright.

The tests wait for real time (the server's clock is the real one), so every threshold here is a few seconds.
Chromium missing: the tests skip, unless REQUIRE_BROWSER=1, where they fail.
"""

from __future__ import annotations

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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = PROJECT_DIR / "artifacts" / "screenshots"
USERNAME, PASSWORD = "ada", "ada-password-1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# The servers' settings, by name; every one also gets a fresh copy of a prepared database.
CONFIGS = {
    # Idle sign-out after 12 s, warned 6 s before; long-lived tokens.
    "idle": {
        "INACTIVITY_THRESHOLD_MINUTES": "0.2",
        "INACTIVITY_WARNING_SECONDS": "6",
        "MAX_TOKEN_LIFETIME_MINUTES": "10",
        "SESSION_MAX_HOURS": "1",
    },
    # A calm session (1 minute) whose access tokens live 6 s: every test here rides on silent refreshes.
    "calm": {
        "INACTIVITY_THRESHOLD_MINUTES": "1",
        "INACTIVITY_WARNING_SECONDS": "10",
        "MAX_TOKEN_LIFETIME_MINUTES": "0.1",
        "SESSION_MAX_HOURS": "1",
    },
    # Sessions that reach their time limit (10 s) long before they could go idle.
    "limit": {
        "INACTIVITY_THRESHOLD_MINUTES": "1",
        "INACTIVITY_WARNING_SECONDS": "5",
        "MAX_TOKEN_LIFETIME_MINUTES": "10",
        "SESSION_MAX_HOURS": str(10 / 3600),
    },
}
COMMON = {
    "DEBUG": "false",
    "SECRET_KEY": "browser-test-secret-key-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "TOKEN_CHECK_INTERVAL_SECONDS": "1",
    "ACTIVITY_CHECK_INTERVAL_SECONDS": "2",
    "DJANGO_SETTINGS_MODULE": "ndfstudio.settings",
    "LOG_LEVEL": "WARNING",
}
# What the servers must not inherit from the test run (pytest-django's settings, a developer's .env...).
SCRUBBED = ("DATABASE_URL", "REDIS_URL", "CACHE_KEY_PREFIX", "BENCHMARK_PLAIN_JWT", "ACTIVITY_EXCLUDED_PATHS")


def _require_browser(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER", "") not in ("", "0"):
        pytest.fail(f"{reason} (REQUIRE_BROWSER is set)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(workdir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED and not k.startswith("PYTEST")}
    env.update(COMMON, LOG_DIR=str(workdir / "logs"), **extra)
    return env


@dataclass
class LiveServer:
    """One gunicorn serving the project on 127.0.0.1 with its own settings and database."""

    name: str
    url: str
    process: subprocess.Popen
    log: Path
    settings: dict[str, str] = field(default_factory=dict)

    def pids(self) -> list[int]:
        """The gunicorn master and its workers."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [self.process.pid, *map(int, children)]

    def freeze(self) -> None:
        """Stop answering (SIGSTOP): connections hang instead of failing."""
        for pid in self.pids():
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self.pids():
            os.kill(pid, signal.SIGCONT)

    def stop(self) -> None:
        self.thaw()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _wait_until_up(server: LiveServer, *, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server {server.name} exited:\n{server.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise RuntimeError(f"server {server.name} did not start:\n{server.log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="ndf-browser-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def prepared_database(workdir: Path) -> Path:
    """A migrated SQLite file with the test user, copied for every server (migrating once is the slow part)."""
    db = workdir / "template.sqlite3"
    env = _env(workdir, DATABASE_URL=f"sqlite:///{db}")
    manage = [sys.executable, str(PROJECT_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, cwd=PROJECT_DIR, check=True)
    create = (
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user({USERNAME!r}, email='ada@example.com', password={PASSWORD!r})"
    )
    subprocess.run([*manage, "shell", "-c", create], env=env, cwd=PROJECT_DIR, check=True)
    return db


@pytest.fixture(scope="session")
def servers(browser, workdir: Path, prepared_database: Path) -> Iterator[dict[str, LiveServer]]:
    """Start every configured server at once (they boot in parallel), stop them at the end of the run."""
    started: dict[str, LiveServer] = {}
    try:
        for name, settings in CONFIGS.items():
            db = workdir / f"{name}.sqlite3"
            shutil.copyfile(prepared_database, db)
            port = _free_port()
            log = workdir / f"{name}.log"
            env = _env(workdir, DATABASE_URL=f"sqlite:///{db}", **settings)
            command = [
                str(Path(sys.executable).with_name("gunicorn")),
                "ndfstudio.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--graceful-timeout",
                "2",
            ]
            with log.open("wb") as out:
                process = subprocess.Popen(command, env=env, cwd=PROJECT_DIR, stdout=out, stderr=subprocess.STDOUT)
            started[name] = LiveServer(name, f"http://127.0.0.1:{port}", process, log, settings)
        for server in started.values():
            _wait_until_up(server)
        yield started
    finally:
        for server in started.values():
            server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _require_browser(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _require_browser("Playwright for Python is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Problems:
    """Page errors and Content-Security-Policy violations seen by a test: any of them fails it."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page) -> None:
        page.on("pageerror", lambda exc: self.items.append(f"page error: {exc}"))
        page.on(
            "console",
            lambda msg: self.items.append(f"console: {msg.text}") if "Content Security Policy" in msg.text else None,
        )


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def new_context(browser, problems):
    """Make browser contexts (one per simulated browser profile: its tabs share cookies and channels)."""
    contexts = []

    def make(**kwargs):
        context = browser.new_context(**kwargs)
        context.on("page", problems.watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert problems.items == []


@pytest.fixture
def shot():
    """Save a screenshot as artifacts/screenshots/<state>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, state: str) -> Path:
        path = SCREENSHOTS / f"{state}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
