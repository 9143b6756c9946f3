"""The idle clock: the shared clock and the column, their write interval and resolution, and the deadline."""

from collections import OrderedDict
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from accounts import clock, sessions
from accounts.models import LoginSession
from conftest import T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_clock(monkeypatch):
    """Pretend the cache is shared (as Redis is), whatever the test settings use."""
    monkeypatch.setattr(clock, "clock_is_shared", lambda: True)


@pytest.fixture
def column_only(monkeypatch):
    """Pretend the cache is per process (as the local-memory cache is), whatever the test settings use."""
    monkeypatch.setattr(clock, "clock_is_shared", lambda: False)


def last_activity(session):
    return LoginSession.objects.get(pk=session.pk).last_activity


class TestWriteInterval:
    def test_every_time_without_a_shared_clock(self, monkeypatch):
        monkeypatch.setattr(clock, "clock_is_shared", lambda: False)
        assert clock.write_interval() == timedelta(0)

    def test_small_against_the_threshold_with_a_shared_clock(self, shared_clock):
        assert clock.write_interval() == timedelta(seconds=60)
        with override_settings(ACCOUNTS={**settings.ACCOUNTS, "INACTIVITY_THRESHOLD": timedelta(seconds=3)}):
            assert clock.write_interval() == timedelta(seconds=0.15)

    @override_settings(ACCOUNTS={**settings.ACCOUNTS, "WRITE_INTERVAL": timedelta(seconds=5)})
    def test_configurable(self):
        assert clock.write_interval() == timedelta(seconds=5)


@pytest.fixture
def interval_60s(settings):
    settings.ACCOUNTS = {**settings.ACCOUNTS, "WRITE_INTERVAL": timedelta(seconds=60)}


@pytest.mark.usefixtures("interval_60s")
class TestColumnWrites:
    def test_writes_at_most_once_per_interval(self, session, shared_clock):
        clock.session_clock_record(session=session, at=T0 + timedelta(seconds=30))
        assert last_activity(session) == T0  # the login wrote it 30 s ago
        clock.session_clock_record(session=session, at=T0 + timedelta(seconds=61))
        assert last_activity(session) == T0 + timedelta(seconds=61)

    def test_a_moment_the_shared_clock_did_not_take_ignores_the_interval(self, session, column_only):
        clock.session_clock_record(session=session, at=T0 + timedelta(seconds=1))
        assert last_activity(session) == T0 + timedelta(seconds=1)

    def test_never_moves_back(self, session, column_only):
        clock.session_clock_record(session=session, at=T0 + timedelta(seconds=90))
        clock.session_clock_record(session=session, at=T0 + timedelta(seconds=80))
        assert last_activity(session) == T0 + timedelta(seconds=90)

    def test_a_login_writes_its_session_once(self, user):
        with CaptureQueriesContext(connection) as queries:
            sessions.session_start(user=user, request=RequestFactory().get("/"), now=T0)
        written = [q["sql"].split()[:3] for q in queries.captured_queries if "accounts_loginsession" in q["sql"]]
        assert written == [["INSERT", "INTO", '"accounts_loginsession"']]  # and no UPDATE after it


@pytest.mark.usefixtures("interval_60s")
class TestIdleDeadline:
    def test_the_column_alone_gets_the_interval_on_top(self, session, column_only):
        assert clock.session_clock_read(session=session).idle_at == T0 + timedelta(minutes=21)

    def test_shared_clock_is_exact(self, session, shared_clock):
        clock.session_clock_record(session=session, at=T0 + timedelta(seconds=50))
        assert last_activity(session) == T0  # within the interval: only the clock has it
        assert clock.session_clock_read(session=session) == (
            T0 + timedelta(seconds=50),
            T0 + timedelta(minutes=20, seconds=50),
            "extend",
        )

    def test_never_earlier_than_the_column(self, session, shared_clock):
        clock.session_clock_record(session=session, at=T0 - timedelta(hours=1))
        assert clock.session_clock_read(session=session).idle_at == T0 + timedelta(minutes=20)

    def test_capped_at_the_session_end(self, session):
        session.expires_at = T0 + timedelta(minutes=5)
        assert clock.session_clock_read(session=session).idle_at == T0 + timedelta(minutes=5)

    def test_no_early_rejection_when_the_column_lags(self, session, column_only, frozen):
        # Activity at T0+59s that only a lost clock knew: the column still says T0.
        frozen.move_to(T0 + timedelta(minutes=20, seconds=59), tick=False)
        sessions.session_check(session=session, now=T0 + timedelta(minutes=20, seconds=59))  # not rejected
        with pytest.raises(sessions.TokenInactive):
            sessions.session_check(session=session, now=T0 + timedelta(minutes=21, seconds=1))


class TestFailingClock:
    def test_a_clock_that_cannot_write_forces_the_column(self, session, shared_clock, monkeypatch):
        def down(*args, **kwargs):
            raise ConnectionError("redis is down")

        monkeypatch.setattr(clock, "clock_store_write", down)
        monkeypatch.setattr(clock, "clock_store_read", down)
        at = T0 + timedelta(seconds=5)  # well inside any write interval
        clock.session_clock_record(session=session, at=at)
        assert last_activity(session) == at
        # The clock cannot vouch: the column decides, with its write interval (60 s) on top.
        fresh = LoginSession.objects.get(pk=session.pk)
        assert clock.session_clock_read(session=fresh).idle_at == at + timedelta(minutes=21)

    def test_a_programming_error_is_not_an_outage(self, session, shared_clock, monkeypatch):
        def bug(*args, **kwargs):
            raise TypeError("a bug")

        monkeypatch.setattr(clock, "clock_store_write", bug)
        with pytest.raises(TypeError):
            clock.session_clock_record(session=session, at=T0 + timedelta(seconds=5))


@pytest.fixture
def resolution_1s(settings):
    settings.ACCOUNTS = {**settings.ACCOUNTS, "CLOCK_RESOLUTION_SECONDS": 1.0}


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


class TestProcessMemory:
    """What a process remembers writing only spares writes: past 10,000 sessions it forgets the stale ones first."""

    def test_past_its_size_the_stale_entries_go_from_the_front_and_the_fresh_stay(self):
        seen = OrderedDict((f"s{i}", 100.0 + i) for i in range(10_000))  # remembered at 100 s, 101 s, ...
        clock._remember(seen, "s3", 10_200.0, 10_200.0, 60)  # s3 again: now the freshest, at the end
        clock._remember(seen, "new", 10_200.0, 10_200.0, 60)
        assert len(seen) == 10_000  # one stale entry made room: s0 (s3 is fresh now)
        assert (list(seen)[:2], list(seen)[-2:], seen["s3"]) == (["s1", "s2"], ["s3", "new"], 10_200.0)

    def test_fresh_entries_are_never_forgotten_for_room(self):
        seen = OrderedDict((f"s{i}", 1000.0) for i in range(10_000))
        clock._remember(seen, "new", 1000.0, 1000.0, 60)
        assert len(seen) == 10_001
