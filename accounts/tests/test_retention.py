"""Login sessions pruned with the log's retention: ended (or past their maximum) before the cutoff, never within
their recovery window."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import RequestFactory

from accounts.models import LegacyRefreshUse, LoginSession
from accounts.retention import django_sessions_prune, login_sessions_prune
from accounts.sessions import EndReason, session_end, session_start
from activity.models import ActivityLog
from activity.retention import retention_prune
from conftest import PASSWORD, me

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)
CUTOFF = datetime(2025, 10, 7, tzinfo=UTC)  # 90 days before NOW, down to midnight UTC as the log's


def started(user, at, *, ended=None, reason=EndReason.LOGOUT, **fields):
    """A session of `user` started at `at` (the clock moved there), ended at `ended` if given."""
    session, _, _ = session_start(user=user, request=RequestFactory().get("/"), now=at, **fields)
    if ended is not None:
        session_end(session=session, reason=reason, now=ended)
    return session


def test_sessions_that_ended_before_the_cutoff_go_the_others_stay(user, time_machine):
    time_machine.move_to(NOW, tick=False)
    minute = timedelta(minutes=1)
    gone = {
        "signed out long ago": started(user, CUTOFF - timedelta(days=10), ended=CUTOFF - timedelta(days=10) + minute),
        "signed out a minute before": started(user, CUTOFF - timedelta(hours=2), ended=CUTOFF - minute),
        # Never marked ended (nobody came back): over at its maximum, 12 hours after its start.
        "forgotten, maximum passed": started(user, CUTOFF - timedelta(hours=12, minutes=1)),
    }
    old_idle = started(user, CUTOFF - timedelta(hours=1), ended=CUTOFF - minute, reason=EndReason.INACTIVE)
    gone["ended idle before"] = old_idle
    kept = {
        "forgotten, maximum at the cutoff": started(user, CUTOFF - timedelta(hours=12)),
        "signed out at the cutoff": started(user, CUTOFF - timedelta(hours=1), ended=CUTOFF),
        "recovered from one that goes": started(
            user, CUTOFF + minute, ended=CUTOFF + timedelta(hours=1), recovered_from=old_idle
        ),
        "open now": started(user, NOW - timedelta(minutes=5)),
    }
    used = LegacyRefreshUse.objects.create(jti="j", session=gone["signed out long ago"], expires_at=NOW)
    recent = ActivityLog.objects.create(
        timestamp=NOW, category="AUDIT", event="e", message="m", session_id=str(gone["signed out long ago"].pk)
    )

    deleted = retention_prune(now=NOW)

    # The log's rows before the cutoff: the logins (6) and the endings (3) of all but the recovered and open ones.
    assert deleted == {"activity log rows": 9, "login sessions": 4, "django sessions": 0}
    assert set(LoginSession.objects.values_list("pk", flat=True)) == {s.pk for s in kept.values()}
    assert LoginSession.objects.get(pk=kept["recovered from one that goes"].pk).recovered_from_id is None
    used.refresh_from_db()
    assert used.session_id is None
    assert ActivityLog.objects.get(pk=recent.pk).session_id == gone["signed out long ago"].pk  # a plain UUID


def test_batches_and_their_queries(user, time_machine, django_assert_num_queries):
    time_machine.move_to(NOW, tick=False)
    for day in range(5):
        started(user, CUTOFF - timedelta(days=day + 1), ended=CUTOFF - timedelta(days=day + 1) + timedelta(hours=1))
    # Per batch of 2: its ids, the sessions (for what refers to them), the two SET NULLs, the DELETE; then one
    # SELECT that finds none. The last batch has one session.
    with django_assert_num_queries(3 * 5 + 1):
        assert login_sessions_prune(cutoff=CUTOFF, now=NOW, batch_size=2) == 5
    assert LoginSession.objects.count() == 0


def test_a_session_within_its_recovery_window_survives_a_prune_of_everything(user, login, api, client_with, frozen):
    frozen.move_to(datetime(2026, 1, 5, 23, 29), tick=False)
    signed_out = login()
    assert client_with(signed_out["access"]).post("/api/auth/logout").status_code == 204
    idle = login()
    frozen.move_to(datetime(2026, 1, 5, 23, 55), tick=False)  # idle since 23:49, the threshold after its login
    assert me(client_with(idle["access"])).json()["code"] == "token_inactive"
    frozen.move_to(datetime(2026, 1, 6, 0, 30), tick=False)  # a new UTC day: the cutoff of --days 0 is past its end

    deleted = retention_prune(older_than=timedelta(days=0))

    # The signed-out one cannot be recovered: gone. The idle one can, until 00:49: it stays, and is recovered.
    assert deleted["login sessions"] == 1
    assert [str(pk) for pk in LoginSession.objects.values_list("pk", flat=True)] == [idle["session_id"]]
    response = api.post("/api/auth/recover", {"refresh": idle["refresh"], "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content


def test_expired_django_sessions_go_with_every_prune_live_ones_stay(time_machine):
    # The admin's and the browsable API's cookie sessions: nothing ever ran clearsessions, so the table only grew.
    time_machine.move_to(NOW - timedelta(days=30), tick=False)
    for n in range(3):
        old = SessionStore()
        old.set_expiry(timedelta(hours=n + 1))
        old.create()
    time_machine.move_to(NOW, tick=False)
    live = SessionStore()
    live.create()
    assert Session.objects.count() == 4
    assert retention_prune()["django sessions"] == 3
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    assert django_sessions_prune(cutoff=CUTOFF, now=NOW, batch_size=2) == 0
