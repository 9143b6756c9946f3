"""The session snapshot kept by the process, under the user's generation in the shared cache: no query while nothing
changed, every change refused at once."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from accounts import session_cache
from accounts.clock import clock_is_shared
from accounts.models import GroupPolicy, LoginSession
from accounts.prepared import session_with_user
from accounts.session_cache import session_from_snapshot, session_snapshot
from conftest import PASSWORD, assert_rejected, me

pytestmark = pytest.mark.django_db

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "session-cache"}}


@pytest.fixture(autouse=True)
def shared_cache(tmp_path):
    """Redis when the suite runs with it (CI's second run), else a file cache: both are shared between processes."""
    if clock_is_shared():
        yield
        return
    files = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": tmp_path}}
    with override_settings(CACHES=files):
        yield


@pytest.fixture
def settle(user, login, client_with):
    """Log in and make one request, which takes the session's snapshot; return (tokens, client)."""
    tokens = login()
    client = client_with(tokens["access"])
    assert client.get("/api/auth/session").status_code == 200
    return tokens, client


def queries_of(client, path="/api/auth/session"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, len(queries)


class TestQueries:
    def test_a_warm_check_costs_no_query_and_a_cold_one_the_one_lookup(self, user, login, client_with):
        client = client_with(login()["access"])
        response, cold = queries_of(client)  # the login saved the user (last_login): no snapshot is current
        assert (response.status_code, cold) == (200, 1)
        for _ in range(3):
            response, warm = queries_of(client)
            assert (response.status_code, warm) == (200, 0)
            assert response.json()["user"]["username"] == "alice"

    def test_a_tracked_request_with_batched_audit_rows_costs_no_query(
        self, settle, settings, django_assert_num_queries
    ):
        settings.ACTIVITY = {**settings.ACTIVITY, "AUDIT_FLUSH_INTERVAL_SECONDS": 30}
        _, client = settle
        with django_assert_num_queries(0):
            response = me(client)
        assert response.status_code == 200
        assert response.json()["username"] == "alice"

    @override_settings(CACHES=LOCMEM)
    def test_without_a_shared_cache_every_check_reads_the_database(self, user, login, client_with):
        tokens = login()
        client = client_with(tokens["access"])
        for _ in range(3):
            response, count = queries_of(client)
            assert (response.status_code, count) == (200, 1)
        assert session_cache._snapshots == {}

    def test_past_the_snapshots_idle_deadline_the_database_decides(self, frozen, settle):
        _, client = settle
        session = LoginSession.objects.get()
        frozen.move_to(session.idle_at)
        assert me(client).status_code == 200  # activity, at the snapshot's deadline: still accepted
        frozen.shift(1)
        response, count = queries_of(client)
        assert (response.status_code, count) == (200, 1)  # past it: the database (and clock) says it is alive
        response, count = queries_of(client)
        assert (response.status_code, count) == (200, 0)  # with a snapshot taken anew
        frozen.shift(20 * 60)
        assert_rejected(queries_of(client)[0], "token_inactive")


class TestSnapshot:
    def test_it_rebuilds_what_the_database_gives_without_secrets(self, session):
        loaded = session_with_user(session.pk)
        snapshot = session_snapshot(loaded)
        rebuilt = session_from_snapshot(snapshot)
        for field in LoginSession._meta.concrete_fields:
            if field.name not in session_cache.SESSION_LEFT_OUT:
                assert getattr(rebuilt, field.attname) == getattr(loaded, field.attname), field.name
        for field in type(loaded.user)._meta.concrete_fields:
            if field.name != "password":
                assert getattr(rebuilt.user, field.attname) == getattr(loaded.user, field.attname), field.name
        assert (rebuilt._state.adding, rebuilt.user._state.adding) == (False, False)
        assert rebuilt.get_deferred_fields() == {"refresh_jti", "user_agent", "ip"}
        assert rebuilt.user.get_deferred_fields() == {"password"}
        assert loaded.user.password not in repr(snapshot) and loaded.refresh_jti not in repr(snapshot)

    def test_a_deferred_field_is_read_from_the_database(self, session):
        rebuilt = session_from_snapshot(session_snapshot(session_with_user(session.pk)))
        assert rebuilt.refresh_jti == session.refresh_jti
        assert rebuilt.user.check_password(PASSWORD)


class TestChangesAreRefusedOnTheNextRequest:
    def test_logout(self, settle):
        _, client = settle
        assert client.post("/api/auth/logout/").status_code == 204
        assert_rejected(me(client), "session_ended", "Session ended")

    def test_revocation_from_another_session(self, settle, login, client_with):
        tokens, client = settle
        other = client_with(login()["access"])
        assert other.delete(f"/api/auth/sessions/{tokens['session_id']}").status_code == 204
        assert_rejected(me(client), "session_ended", "Session ended")

    def test_logout_everywhere(self, settle, login, client_with):
        _, client = settle
        other = client_with(login()["access"])
        assert other.get("/api/auth/session").status_code == 200
        assert other.post("/api/auth/logout/all").json() == {"ended": 2}
        assert_rejected(me(client), "session_ended", "Session ended")

    def test_password_change(self, settle, user):
        _, client = settle
        user.set_password("a new password")
        user.save()
        assert_rejected(me(client), "session_ended", "Session ended")
        assert LoginSession.objects.get().end_reason == "password_changed"

    def test_deactivation(self, settle, user):
        _, client = settle
        user.is_active = False
        user.save()
        assert_rejected(me(client), "session_ended", "Session ended")
        assert LoginSession.objects.get().end_reason == "user_deactivated"

    def test_deletion_of_the_user(self, settle, user):
        _, client = settle
        user.delete()
        assert_rejected(me(client), "token_not_valid")

    def test_a_new_username_is_answered_at_once(self, settle, user):
        _, client = settle
        user.username = "alicia"
        user.save()
        assert me(client).json()["username"] == "alicia"

    def test_a_stricter_group_policy(self, frozen, settle, user, settings):
        settings.ACCOUNTS = {**settings.ACCOUNTS, "INACTIVITY_MIN": timedelta(seconds=10)}
        _, client = settle
        group = Group.objects.create(name="ops")
        user.groups.add(group)
        GroupPolicy.objects.create(group=group, inactivity_threshold_minutes=0.25)
        frozen.shift(30)  # idle 30 s, within the snapshot's lifetime: fine for the site's 20 min, not the group's 15 s
        assert_rejected(me(client), "token_inactive")

    def test_a_change_committed_between_the_generation_read_and_the_snapshot_write(
        self, user, login, client_with, monkeypatch
    ):
        client = client_with(login()["access"])
        read = session_cache.session_with_user

        def read_then_revoked_elsewhere(pk):
            session = read(pk)  # what the database said, just before another process ended the session
            LoginSession.objects.filter(pk=pk).update(ended_at=session.created_at, end_reason="revoked")
            session_cache.session_cache_forget(user_id=session.user_id)
            return session

        monkeypatch.setattr(session_cache, "session_with_user", read_then_revoked_elsewhere)
        assert me(client).status_code == 200  # the check read the session before the change
        monkeypatch.setattr(session_cache, "session_with_user", read)
        assert_rejected(me(client), "session_ended", "Session ended")  # its snapshot was not trusted


def down(*args, **kwargs):
    raise RedisConnectionError("redis is down")


class TestCacheFailures:
    def test_a_failing_read_falls_back_to_the_database(self, settle, monkeypatch, caplog):
        _, client = settle

        for read in ("get", "hget_direct"):  # whichever the cache reads with (ndfstudio.redis_cache: the direct one)
            monkeypatch.setattr(caches["default"], read, down, raising=False)
        response, count = queries_of(client)
        assert (response.status_code, count) == (200, 1)
        assert "session cache unavailable; reading the session from the database" in caplog.text

    def test_without_a_generation_no_snapshot_is_kept(self, user, login, client_with, monkeypatch, caplog):
        client = client_with(login()["access"])
        monkeypatch.setattr(session_cache, "_generation_read", lambda user_id: None)  # none kept...
        monkeypatch.setattr(session_cache, "_generation_write", down)  # ... and none can be started
        for _ in range(2):
            response, count = queries_of(client)
            assert (response.status_code, count) == (200, 1)
        assert session_cache._snapshots == {}
        assert "session cache unavailable; snapshot not kept" in caplog.text

    def test_a_failing_generation_bump_is_logged_not_raised(self, settle, monkeypatch, caplog):
        _, client = settle
        monkeypatch.setattr(session_cache, "_generation_write", down)
        monkeypatch.setattr(session_cache, "_generation_read", down)
        assert client.post("/api/auth/logout/").status_code == 204
        assert "snapshots of user" in caplog.text
        assert_rejected(me(client), "session_ended")  # the cache cannot answer: the database does

    def test_a_snapshot_outlives_a_failed_generation_bump_by_its_maximum_age_at_most(
        self, frozen, settle, monkeypatch, caplog
    ):
        _, client = settle
        monkeypatch.setattr(session_cache, "_generation_write", down)  # the bump fails; reads still work
        assert client.post("/api/auth/logout/").status_code == 204
        assert "snapshots of user" in caplog.text
        monkeypatch.undo()
        # The generation did not move: the snapshot taken before the logout still matches, until it is too old.
        frozen.shift(session_cache.SNAPSHOT_MAX_AGE.total_seconds() - 1)
        assert me(client).status_code == 200
        frozen.shift(2)
        assert_rejected(me(client), "session_ended", "Session ended")


class TestKept:
    def test_at_most_snapshots_kept_and_none_too_old(self, frozen, user, login, client_with, monkeypatch):
        monkeypatch.setattr(session_cache, "SNAPSHOTS_KEPT", 2)
        clients = [client_with(login()["access"]) for _ in range(3)]
        for client in clients:
            assert queries_of(client)[0].status_code == 200
        assert len(session_cache._snapshots) == 2  # the first session's was dropped
        response, count = queries_of(clients[0])
        assert (response.status_code, count) == (200, 1)
        frozen.shift(session_cache.SNAPSHOT_MAX_AGE.total_seconds() + 1)
        assert queries_of(clients[1])[0].status_code == 200  # kept anew; the others, too old, are dropped
        assert len(session_cache._snapshots) == 1

    def test_a_snapshot_taken_later_than_now_is_not_trusted(self, frozen, user, login, client_with):
        client = client_with(login()["access"])
        frozen.shift(10)
        response, count = queries_of(client)
        assert (response.status_code, count) == (200, 1)  # the snapshot is taken 10 s after the login
        frozen.shift(-5)  # the clock set back: the token is still good, the snapshot is "from the future"
        response, count = queries_of(client)
        assert (response.status_code, count) == (200, 1)

    def test_a_snapshot_taken_anew_is_kept_as_the_newest(self, monkeypatch):
        monkeypatch.setattr(session_cache, "SNAPSHOTS_KEPT", 2)
        now = timezone.now()
        for pk in ("a", "b", "a", "c"):
            session_cache._snapshot_keep(pk, ("generation", now, ()), now=now)
        assert list(session_cache._snapshots) == ["a", "c"]  # b was the oldest

    def test_a_snapshot_older_than_its_maximum_age_is_not_trusted(self, frozen, settle):
        _, client = settle
        frozen.shift(session_cache.SNAPSHOT_MAX_AGE.total_seconds())
        response, count = queries_of(client)
        assert (response.status_code, count) == (200, 0)
        frozen.shift(1)
        response, count = queries_of(client)
        assert (response.status_code, count) == (200, 1)
