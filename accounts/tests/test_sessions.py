"""Session rules below the endpoints: the mirror's write interval, the idle deadline, and a failing clock."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings

from accounts import checks, sessions
from accounts.models import LoginSession
from activity import clock

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


@pytest.fixture
def session(user):
    session, _, _ = sessions.session_start(user=user, request=RequestFactory().get("/"), now=T0)
    return session


@pytest.fixture
def shared_clock(monkeypatch):
    """Pretend the cache is shared (as Redis is), whatever the test settings use."""
    monkeypatch.setattr(clock, "clock_is_shared", lambda: True)
    monkeypatch.setattr(sessions, "clock_is_shared", lambda: True)


def mirror(session):
    return LoginSession.objects.get(pk=session.pk).last_activity


class TestWriteInterval:
    def test_every_time_without_a_shared_clock(self, monkeypatch):
        monkeypatch.setattr(sessions, "clock_is_shared", lambda: False)
        assert sessions.write_interval() == timedelta(0)

    def test_small_against_the_threshold_with_a_shared_clock(self, shared_clock):
        assert sessions.write_interval() == timedelta(seconds=60)
        with override_settings(ACCOUNTS={**settings.ACCOUNTS, "INACTIVITY_THRESHOLD": timedelta(seconds=3)}):
            assert sessions.write_interval() == timedelta(seconds=0.15)

    @override_settings(ACCOUNTS={**settings.ACCOUNTS, "WRITE_INTERVAL": timedelta(seconds=5)})
    def test_configurable(self):
        assert sessions.write_interval() == timedelta(seconds=5)


@pytest.fixture
def interval_60s(settings):
    settings.ACCOUNTS = {**settings.ACCOUNTS, "WRITE_INTERVAL": timedelta(seconds=60)}


@pytest.mark.usefixtures("interval_60s")
class TestTouch:
    def test_writes_at_most_once_per_interval(self, session):
        sid = str(session.pk)
        sessions.session_touch(session_id=sid, at=T0 + timedelta(seconds=30))
        assert mirror(session) == T0  # the login wrote it 30 s ago
        sessions.session_touch(session_id=sid, at=T0 + timedelta(seconds=61))
        assert mirror(session) == T0 + timedelta(seconds=61)

    def test_forced_writes_ignore_the_interval(self, session):
        sessions.session_touch(session_id=str(session.pk), at=T0 + timedelta(seconds=1), force=True)
        assert mirror(session) == T0 + timedelta(seconds=1)

    def test_never_moves_back(self, session):
        sessions.session_touch(session_id=str(session.pk), at=T0 + timedelta(seconds=90))
        sessions.session_touch(session_id=str(session.pk), at=T0 + timedelta(seconds=80), force=True)
        assert mirror(session) == T0 + timedelta(seconds=90)


@pytest.mark.usefixtures("interval_60s")
class TestIdleDeadline:
    def test_mirror_only_gets_the_interval_on_top(self, session, monkeypatch):
        monkeypatch.setattr(sessions, "activity_clock_read", lambda session_id: None)
        assert sessions.session_clock(session=session)[1] == T0 + timedelta(minutes=21)

    def test_shared_clock_is_exact(self, session, monkeypatch):
        monkeypatch.setattr(sessions, "activity_clock_read", lambda session_id: T0 + timedelta(seconds=50))
        assert sessions.session_clock(session=session)[1] == T0 + timedelta(minutes=20, seconds=50)

    def test_never_earlier_than_the_mirror(self, session, monkeypatch):
        monkeypatch.setattr(sessions, "activity_clock_read", lambda session_id: T0 - timedelta(hours=1))
        assert sessions.session_clock(session=session)[1] == T0 + timedelta(minutes=20)

    def test_no_early_rejection_when_the_mirror_lags(self, session, monkeypatch, frozen):
        # Activity at T0+59s that only a lost clock knew: the mirror still says T0.
        monkeypatch.setattr(sessions, "activity_clock_read", lambda session_id: None)
        frozen.move_to(T0 + timedelta(minutes=20, seconds=59), tick=False)
        sessions.session_check(session=session, now=T0 + timedelta(minutes=20, seconds=59))  # not rejected
        with pytest.raises(sessions.TokenInactive):
            sessions.session_check(session=session, now=T0 + timedelta(minutes=21, seconds=1))


class TestFailingClock:
    def test_a_clock_that_cannot_write_forces_the_mirror(self, session, shared_clock, monkeypatch):
        def down(*args, **kwargs):
            raise ConnectionError("redis is down")

        monkeypatch.setattr(clock.cache, "set", down)
        monkeypatch.setattr(clock.cache, "get", down)
        at = T0 + timedelta(seconds=5)  # well inside any write interval
        clock.activity_clock_touch(session_id=str(session.pk), at=at)
        assert mirror(session) == at
        assert clock.activity_clock_read(session_id=str(session.pk)) is None


class TestChecks:
    def test_warning_window_longer_than_half_the_threshold(self, settings):
        settings.ACCOUNTS = {**settings.ACCOUNTS, "INACTIVITY_THRESHOLD": timedelta(seconds=60), "WARNING_SECONDS": 45}
        assert [w.id for w in checks.check_inactivity_policy(None)] == ["accounts.W001"]

    def test_threshold_not_shorter_than_the_session(self, settings):
        settings.ACCOUNTS = {**settings.ACCOUNTS, "SESSION_MAX_AGE": timedelta(minutes=20)}
        # ... and then the 60-minute access token outlives the 20-minute session too.
        assert [w.id for w in checks.check_inactivity_policy(None)] == ["accounts.W002", "accounts.W003"]

    def test_slow_mirror(self, settings):
        settings.ACCOUNTS = {**settings.ACCOUNTS, "WRITE_INTERVAL": timedelta(minutes=5)}
        assert [w.id for w in checks.check_inactivity_policy(None)] == ["accounts.W004"]

    def test_short_signing_key(self, settings):
        settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": "short"}
        assert [w.id for w in checks.check_signing_key(None)] == ["accounts.W005"]
        settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": "x" * 32}
        assert checks.check_signing_key(None) == []


@pytest.fixture
def resolution_1s(settings):
    settings.ACTIVITY = {**settings.ACTIVITY, "CLOCK_RESOLUTION_SECONDS": 1.0}


@pytest.mark.usefixtures("resolution_1s")
class TestClockResolution:
    """A process records a session's activity at most once a second: decisions may be a second late, never early."""

    def test_never_early(self, user, login, client_with, frozen):
        client = client_with(login()["access"])
        frozen.shift(0.9)
        assert client.get("/api/auth/me").status_code == 200  # within the second: not recorded
        frozen.shift(20 * 60 - 0.1)  # 20 minutes after that request
        assert client.get("/api/auth/session").status_code == 200

    def test_at_most_one_resolution_late(self, user, login, client_with, frozen):
        client = client_with(login()["access"])
        frozen.shift(0.5)
        assert client.get("/api/auth/me").status_code == 200
        frozen.shift(20 * 60 + 0.4)  # idle for 20 min 0.4 s, but only 20 min 0.9 s since what was recorded
        assert client.get("/api/auth/session").status_code == 200
        frozen.shift(0.2)
        assert client.get("/api/auth/session").json()["code"] == "token_inactive"

    def test_requests_within_the_resolution_write_nothing_but_their_row(
        self, user, login, client_with, frozen, django_assert_num_queries
    ):
        client = client_with(login()["access"])
        frozen.shift(0.5)
        with django_assert_num_queries(2):  # SELECT session JOIN user, INSERT the AUDIT row
            assert client.get("/api/auth/me").status_code == 200


class TestLookup:
    def test_get_with_user_is_what_the_orm_returns(self, session, user, django_assert_num_queries):
        orm = LoginSession.objects.select_related("user").get(pk=session.pk)
        with django_assert_num_queries(1):
            found = LoginSession.objects.get_with_user(session.pk)
            assert found.user.username == "alice"  # the user came with it
        for field in LoginSession._meta.concrete_fields:
            assert getattr(found, field.attname) == getattr(orm, field.attname), field.name
        for field in type(user)._meta.concrete_fields:
            assert getattr(found.user, field.attname) == getattr(orm.user, field.attname), field.name
        assert found.expires_at.tzinfo is not None  # the backend's converters were applied

    def test_unknown_session(self, session):
        assert LoginSession.objects.get_with_user(uuid.uuid4()) is None


def test_stay_signed_in_resets_the_clock_at_once(resolution_1s, user, login, client_with, frozen):
    client = client_with(login()["access"])
    frozen.shift(0.5)  # within the resolution of the login's own record
    extended = client.post("/api/auth/session/extend").json()
    assert (extended["last_activity"], extended["idle_expires_at"]) == (
        "2026-01-05T09:00:00.500000Z",
        "2026-01-05T09:20:01.500000Z",  # 20 minutes, plus the resolution a decision adds
    )
    state = client.get("/api/auth/session").json()
    assert (state["last_activity"], state["idle_expires_at"]) == (
        extended["last_activity"],
        extended["idle_expires_at"],
    )
