"""The sessions and users admin: sessions read-only and revocable, a user's sessions all endable, by a named actor."""

import pytest
from django.test import Client

from accounts.models import LoginSession
from activity.models import ActivityLog
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(make_user):
    make_user("boss", is_staff=True, is_superuser=True)
    browser = Client()
    browser.post("/admin/login/", {"username": "boss", "password": PASSWORD})
    return browser


def test_revoke_action_names_the_staff_member(boss, user, login):
    sid = login()["session_id"]
    response = boss.post("/admin/accounts/loginsession/", {"action": "revoke", "_selected_action": [sid]}, follow=True)
    assert response.status_code == 200
    assert LoginSession.objects.get(pk=sid).end_reason == "revoked"
    row = ActivityLog.objects.get(event="session_revoked")
    boss_id = LoginSession.objects.get(user__username="boss").user_id
    assert row.message == f"Session {sid} of user {user.pk} revoked by staff boss (user {boss_id})"
    assert (row.user_id, row.username) == (user.pk, "alice")  # the target's row, naming the actor


def test_sessions_list_shows_the_state_now(boss, user, login, frozen):
    login()
    frozen.shift(20 * 60 + 5)
    page = boss.get("/admin/accounts/loginsession/").content.decode()
    assert "idle since 2026-01-05 09:20:00" in page  # without waiting for the session's next request


def test_end_all_sessions_button(boss, user, login):
    login(), login()
    page = boss.get(f"/admin/auth/user/{user.pk}/change/")
    assert b"End all sessions" in page.content
    response = boss.post(f"/admin/auth/user/{user.pk}/end-sessions/", follow=True)
    assert b"Ended 2 session(s) of alice." in response.content
    assert set(LoginSession.objects.filter(user=user).values_list("end_reason", flat=True)) == {"revoked"}
    row = ActivityLog.objects.get(event="sessions_revoked")
    boss_id = LoginSession.objects.get(user__username="boss").user_id
    assert (row.username, row.message) == (
        "alice",
        f"Every session of user {user.pk} revoked by staff boss (user {boss_id}); 2 session(s) ended",
    )


def test_end_all_sessions_needs_a_post(boss, user, login):
    login()
    assert boss.get(f"/admin/auth/user/{user.pk}/end-sessions/").status_code == 302
    assert LoginSession.objects.get(user=user).ended_at is None


def test_end_all_sessions_action(boss, user, make_user, login):
    login()
    make_user("bob")
    login("bob")
    response = boss.post(
        "/admin/auth/user/", {"action": "end_all_sessions", "_selected_action": [user.pk]}, follow=True
    )
    assert b"Ended 1 session(s)." in response.content
    assert LoginSession.objects.filter(ended_at__isnull=True, user__username="bob").count() == 1


def test_admin_changes_are_security_rows_naming_actor_and_target(boss, user):
    response = boss.post(
        f"/admin/auth/user/{user.pk}/change/",
        {"username": "alice", "first_name": "Alice", "email": "alice@example.com", "is_active": "on",
         "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"},
    )  # fmt: skip
    assert response.status_code == 302, response.content
    row = ActivityLog.objects.get(event="admin_change")
    assert row.category == "SECURITY"
    assert row.username == "boss"
    assert row.message == f"Staff boss changed user 'alice' (id {user.pk}): Changed First name and Date joined."
