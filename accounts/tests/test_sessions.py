"""Session rules reported to the analytics: each ending (reason, length) and the count of open sessions."""

from datetime import timedelta

import pytest
from django.test import RequestFactory

from accounts.models import LoginSession
from accounts.sessions import session_end, session_start, sessions_end_all, sessions_open_count
from activity.analytics import Range, open_sessions
from activity.models import ActivityRollup
from conftest import T0

pytestmark = pytest.mark.django_db

EndReason = LoginSession.EndReason


def counted(user_id: int) -> dict:
    rows = ActivityRollup.objects.filter(user_id=user_id, dimension__startswith="session_")
    return {(r.dimension, r.key): r.count for r in rows}


def start(user, *, at):
    return session_start(user=user, request=RequestFactory().get("/"), now=at)[0]


def test_ending_a_session_counts_its_reason_and_length(user):
    session = start(user, at=T0)
    session_end(session=session, reason=EndReason.INACTIVE, now=T0 + timedelta(minutes=21, seconds=30))
    assert counted(user.pk) == {("session_end", "inactive"): 1, ("session_minutes", "21"): 1}
    assert counted(0) == counted(user.pk)
    session_end(session=session, reason=EndReason.LOGOUT, now=T0 + timedelta(minutes=30))  # already ended
    assert counted(user.pk) == {("session_end", "inactive"): 1, ("session_minutes", "21"): 1}


def test_ending_every_session_counts_each(user):
    start(user, at=T0)
    start(user, at=T0 + timedelta(minutes=50))
    assert sessions_end_all(user=user, reason=EndReason.PASSWORD_CHANGED, now=T0 + timedelta(hours=1)) == 2
    assert counted(user.pk) == {
        ("session_end", "password_changed"): 2, ("session_minutes", "60"): 1, ("session_minutes", "10"): 1,
    }  # fmt: skip


def test_open_sessions_are_counted_for_the_analytics(user, staff, frozen):
    start(user, at=T0)
    start(staff, at=T0)
    ended = start(user, at=T0)
    session_end(session=ended, reason=EndReason.LOGOUT, now=T0)
    assert sessions_open_count(user_ids=None, now=T0) == 2
    assert open_sessions(Range(first=T0.date(), last=T0.date(), user_ids=(user.pk,))) == 1
    frozen.shift(3600 * 13)  # past the idle threshold and the maximum: none open
    assert open_sessions(Range(first=T0.date(), last=T0.date())) == 0
