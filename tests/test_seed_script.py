"""The operator's check script, run for real against a live server with a threshold of seconds."""

import subprocess

import pytest

from tests.live import PROJECT_DIR, PYTHON, free_port, server_env, sqlite_url, start_server

pytestmark = pytest.mark.live

SCRIPT = str(PROJECT_DIR / "test_inactivity_expiration.py")


def run_script(env, *args):
    return subprocess.run(  # noqa: S603
        [PYTHON, SCRIPT, *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server (a 3 s threshold) for the module: a run with bad credentials leaves nothing behind to share."""
    path = tmp_path_factory.mktemp("seed") / "db.sqlite3"
    with start_server(server_env(DATABASE_URL=sqlite_url(path), INACTIVITY_THRESHOLD_MINUTES="0.05")) as server:
        yield server


def test_script_passes_against_a_live_server(server):
    done = run_script(server.env, "--base-url", server.url)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert "       inactivity threshold: 3 s" in lines
    assert "  ok   API call after idling: 401 token_inactive" in lines
    assert "  ok   refresh after idling: 401 token_inactive" in lines
    assert "  ok   API call in the new session: 200" in lines
    assert lines[-1] == "PASS: the session ended after inactivity and a new login works."
    # A second run reuses the user it created.
    again = run_script(server.env, "--base-url", server.url)
    assert again.returncode == 0, again.stdout
    assert "  ok   reusing the user 'inactivity-check'" in again.stdout


def test_script_fails_on_bad_credentials(server):
    done = run_script(server.env, "--base-url", server.url, "--username", "nobody", "--password", "x")
    assert done.returncode == 1
    assert "  FAIL log in: expected 200, got 401" in done.stdout


def test_script_fails_without_a_server():
    done = run_script(
        server_env(), "--base-url", f"http://127.0.0.1:{free_port()}", "--username", "u", "--password", "p"
    )
    assert done.returncode == 1
    assert "FAIL cannot reach" in done.stdout
