"""No install signs with a key from the repository: without SECRET_KEY, a random one is made once and kept."""

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import jwt
import pytest
from django.core.exceptions import ImproperlyConfigured

from ndfstudio.secret_key import secret_key_load
from tests.live import server_env, sqlite_url, start_server

ROOT = Path(__file__).resolve().parent.parent


class TestSecretKeyLoad:
    def test_made_on_first_run_owner_only_and_reused(self, tmp_path):
        path = tmp_path / "secret_key"
        key = secret_key_load(path)
        assert len(key) >= 50
        assert path.read_text().strip() == key
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert secret_key_load(path) == key

    def test_processes_starting_together_agree_on_one_key(self, tmp_path):
        # Every gunicorn worker imports the settings at once on a first run: one key wins, all read it.
        path = tmp_path / "secret_key"
        code = f"from ndfstudio.secret_key import secret_key_load; print(secret_key_load({str(path)!r}))"
        racers = [
            subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)  # noqa: S603
            for _ in range(8)
        ]
        keys = {racer.communicate(timeout=60)[0].strip() for racer in racers}
        assert keys == {path.read_text().strip()}
        assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no draft left behind

    def test_random_per_install(self, tmp_path):
        assert secret_key_load(tmp_path / "a") != secret_key_load(tmp_path / "b")

    def test_a_file_others_may_read_is_refused(self, tmp_path):
        path = tmp_path / "secret_key"
        secret_key_load(path)
        path.chmod(0o644)
        with pytest.raises(ImproperlyConfigured, match="0644"):
            secret_key_load(path)

    def test_a_short_key_is_refused(self, tmp_path):
        path = tmp_path / "secret_key"
        path.write_text("short\n")
        path.chmod(0o600)
        with pytest.raises(ImproperlyConfigured, match="too short"):
            secret_key_load(path)


def run_django(code: str, *, tmp_path, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "JWT_SIGNING_KEY", "SECRET_KEY_FILE"}}
    environ.update(DJANGO_SETTINGS_MODULE="ndfstudio.settings", LOG_DIR=str(tmp_path / "logs"), **env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )


SHOW_KEYS = "import django; django.setup(); from django.conf import settings as s; print(s.SECRET_KEY); print(s.SIMPLE_JWT['SIGNING_KEY'])"  # noqa: E501


def test_settings_without_secret_key_use_the_generated_file(tmp_path):
    path = tmp_path / "key"
    first = run_django(SHOW_KEYS, tmp_path=tmp_path, SECRET_KEY_FILE=str(path))
    assert first.returncode == 0, first.stderr
    key = path.read_text().strip()
    assert first.stdout.split() == [key, key]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = run_django(SHOW_KEYS, tmp_path=tmp_path, SECRET_KEY_FILE=str(path))
    assert again.stdout.split() == [key, key]
    # Nothing in the repository is a key any install signs with.
    assert key not in (ROOT / "ndfstudio" / "settings.py").read_text()


def test_settings_with_secret_key_make_no_file(tmp_path):
    path = tmp_path / "key"
    given = "an-operator-chosen-key-" + "y" * 40
    result = run_django(SHOW_KEYS, tmp_path=tmp_path, SECRET_KEY_FILE=str(path), SECRET_KEY=given)
    assert result.stdout.split() == [given, given]
    assert not path.exists()


def test_check_deploy_says_where_the_key_comes_from(tmp_path):
    path = tmp_path / "key"
    code = "from django.core.management import execute_from_command_line; execute_from_command_line(['', 'check', '--deploy'])"  # noqa: E501
    result = run_django(code, tmp_path=tmp_path, SECRET_KEY_FILE=str(path))
    assert "accounts.W006" in result.stderr
    assert str(path) in result.stderr


@pytest.mark.live
def test_a_default_install_refuses_tokens_forged_with_the_old_repository_key(tmp_path):
    # The key every install used to fall back on, public in the repository's history.
    old_key = "django-insecure-ndfstudio-development-key-change-me-0123456789"
    key_file = tmp_path / "secret_key"
    env = server_env(DATABASE_URL=sqlite_url(tmp_path / "db.sqlite3"), SECRET_KEY="", SECRET_KEY_FILE=str(key_file))
    with start_server(env, users={"alice": "pw-alice-123"}, workers=2) as server:
        now = int(time.time())
        forged = {"token_type": "access", "sub": "1", "aud": "ndfstudio", "jti": "x", "iat": now, "exp": now + 10**8}
        reply = server.call("GET", "/api/auth/me", token=jwt.encode(forged, old_key, algorithm="HS256"))
        assert (reply.status, reply.code) == (401, "token_not_valid")
        # Both workers sign and verify with the one generated key: every request of a session is accepted.
        access = server.login("alice", "pw-alice-123")["access"]
        assert all(server.call("GET", "/api/auth/me", token=access).status == 200 for _ in range(10))
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
