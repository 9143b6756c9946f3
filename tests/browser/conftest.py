"""Browser tests' fixtures: live gunicorn servers with thresholds of seconds, and Debian's Chromium via Playwright.

The tests wait for real time (the server's clock is the real one), so every threshold here is a few seconds.
Chromium missing: the tests skip, unless REQUIRE_BROWSER=1, where they fail.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import Server, prepare_database, server_env, sqlite_url, start_server

PROJECT_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = PROJECT_DIR / "artifacts" / "screenshots"
USERNAME, PASSWORD = "ada", "ada-password-1"
ADMIN_USERNAME, ADMIN_PASSWORD = "root", "root-password-1"  # a superuser, for the admin
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
    # Users may choose 3 s to 60 s; writes earn 30 s, reads the user's threshold (18 s by default).
    "policy": {
        "INACTIVITY_THRESHOLD_MINUTES": "0.3",
        "INACTIVITY_MIN_MINUTES": "0.05",
        "INACTIVITY_MAX_MINUTES": "1",
        "INACTIVITY_WARNING_SECONDS": "4",
        "MAX_TOKEN_LIFETIME_MINUTES": "10",
        "SESSION_MAX_HOURS": "1",
        "ACTIVITY_TYPES": (
            '[{"type": "policy", "methods": ["GET"], "prefix": "/api/auth/policy", "minutes": "passive"},'
            ' {"type": "read", "methods": ["GET", "HEAD", "OPTIONS"]},'
            ' {"type": "write", "methods": ["POST", "PUT", "PATCH", "DELETE"], "minutes": 0.5}]'
        ),
    },
    # Sessions that reach their time limit (24 s) long before they could go idle, warned 14 s before: a test has 10 s
    # to sign in and prepare its page, and 14 s from the warning to act on it (5 and 5 were missed under a loaded CI,
    # and 7 and 8 under a loaded `make test`).
    "limit": {
        "INACTIVITY_THRESHOLD_MINUTES": "1",
        "INACTIVITY_WARNING_SECONDS": "14",
        "MAX_TOKEN_LIFETIME_MINUTES": "10",
        "SESSION_MAX_HOURS": str(24 / 3600),
    },
}
# On top of tests/live.py's server environment (production settings, a shared key).
COMMON = {
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "TOKEN_CHECK_INTERVAL_SECONDS": "1",
    "ACTIVITY_CHECK_INTERVAL_SECONDS": "2",
}


def _require_browser(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER", "") not in ("", "0"):
        pytest.fail(f"{reason} (REQUIRE_BROWSER is set)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="ndf-browser-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def prepared_database(workdir: Path) -> Path:
    """A migrated SQLite file with the test user, copied for every server (migrating once is the slow part)."""
    db = workdir / "template.sqlite3"
    users = {USERNAME: PASSWORD, ADMIN_USERNAME: ADMIN_PASSWORD}
    prepare_database(_env(workdir, DATABASE_URL=sqlite_url(db)), users=users, superusers=(ADMIN_USERNAME,))
    return db


class Servers(dict):
    """The configured servers, each started on first use (under pytest-xdist a worker may need only some of them)."""

    def __init__(self, workdir: Path, prepared_database: Path):
        super().__init__()
        self.workdir, self.prepared_database = workdir, prepared_database

    def __missing__(self, name: str) -> Server:
        db = self.workdir / f"{name}.sqlite3"
        shutil.copyfile(self.prepared_database, db)
        self[name] = start_server(_env(self.workdir, DATABASE_URL=sqlite_url(db), **CONFIGS[name]), migrate=False)
        return self[name]

    def stop(self) -> None:
        for server in self.values():
            server.stop()


@pytest.fixture(scope="session")
def servers(browser, workdir: Path, prepared_database: Path) -> Iterator[Servers]:
    """The servers by configuration name, started when a test first asks for one, stopped at the end of the run."""
    started = Servers(workdir, prepared_database)
    try:
        yield started
    finally:
        started.stop()


def _env(workdir: Path, **extra: str) -> dict[str, str]:
    return server_env(**COMMON, LOG_DIR=str(workdir / "logs"), **extra)


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


# Playwright's sync API marks its asyncio loop as this thread's running loop between its calls, for as long as the
# browser is open, and Django refuses to touch a database connection under a running loop (SynchronousOnlyOperation).
# Under pytest-xdist a worker runs unit tests between its browser tests: the loop is shown to browser tests only.
@pytest.fixture(scope="session")
def playwright_loop(browser):
    """Playwright's loop, hidden from everything but the browser tests (and the browser's own shutdown)."""
    loop = asyncio._get_running_loop()
    asyncio._set_running_loop(None)
    yield loop
    asyncio._set_running_loop(loop)


@pytest.fixture(autouse=True)
def _show_playwright_loop(playwright_loop):
    asyncio._set_running_loop(playwright_loop)
    yield
    asyncio._set_running_loop(None)


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
