"""Browser tests' fixtures: live gunicorn servers with thresholds of seconds, and Debian's Chromium via Playwright.

The tests wait for real time (the server's clock is the real one), so every threshold here is a few seconds.
Chromium missing: the tests skip, unless REQUIRE_BROWSER=1, where they fail.
"""

from __future__ import annotations

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
    # Sessions that reach their time limit (10 s) long before they could go idle.
    "limit": {
        "INACTIVITY_THRESHOLD_MINUTES": "1",
        "INACTIVITY_WARNING_SECONDS": "5",
        "MAX_TOKEN_LIFETIME_MINUTES": "10",
        "SESSION_MAX_HOURS": str(10 / 3600),
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


@pytest.fixture(scope="session")
def servers(browser, workdir: Path, prepared_database: Path) -> Iterator[dict[str, Server]]:
    """Start every configured server at once (they boot in parallel), stop them at the end of the run."""
    started: dict[str, Server] = {}
    try:
        for name, settings in CONFIGS.items():
            db = workdir / f"{name}.sqlite3"
            shutil.copyfile(prepared_database, db)
            env = _env(workdir, DATABASE_URL=sqlite_url(db), **settings)
            started[name] = start_server(env, migrate=False, wait=False)
        for server in started.values():
            server.wait_ready()
        yield started
    finally:
        for server in started.values():
            server.stop()


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
