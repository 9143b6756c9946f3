"""A password change or a deactivation ends every session of the user, wherever it is made."""

import pytest

from accounts.models import LoginSession
from activity.models import ActivityLog
from conftest import assert_rejected, legacy_token, me

pytestmark = pytest.mark.django_db


def refresh(api, token):
    return api.post("/api/auth/token/refresh/", {"refresh": token}, format="json")


@pytest.fixture
def two_sessions(user, login, frozen):
    sessions = [login(), login()]
    frozen.shift(1)
    return sessions


def assert_all_ended(sessions, reason, *, api, client_with):
    for body in sessions:
        assert_rejected(me(client_with(body["access"])), "session_ended")
        assert_rejected(refresh(api, body["refresh"]), "session_ended")
        assert LoginSession.objects.get(pk=body["session_id"]).end_reason == reason


class TestPasswordChange:
    def test_set_password_ends_every_session(self, user, two_sessions, api, client_with):
        user.set_password("a brand new password 123")
        user.save()
        assert_all_ended(two_sessions, "password_changed", api=api, client_with=client_with)
        row = ActivityLog.objects.get(category="SECURITY", event="password_changed")
        assert (row.user_id, row.message) == (user.pk, f"Password of user {user.pk} changed; 2 session(s) ended")
        assert "a brand new password" not in str(list(ActivityLog.objects.values()))

    def test_admin_password_change_ends_every_session(self, user, staff, two_sessions, api, client_with):
        staff.is_superuser = True
        staff.save()
        admin = api.__class__()
        admin.force_login(staff)
        response = admin.post(
            f"/admin/auth/user/{user.pk}/password/",
            {"password1": "another new pw 4567", "password2": "another new pw 4567", "usable_password": "true"},
        )
        assert response.status_code == 302, response.content[:2000]
        assert_all_ended(two_sessions, "password_changed", api=api, client_with=client_with)

    def test_legacy_tokens_are_refused_after_a_password_change(self, user, client_with, frozen):
        client = client_with(legacy_token(user))
        frozen.shift(1)
        user.set_password("a brand new password 123")
        user.save()
        assert_rejected(me(client), "session_ended")

    def test_other_saves_leave_sessions_alone(self, user, two_sessions, client_with):
        user.email = "new@example.com"
        user.save()
        user.last_login = user.date_joined
        user.save(update_fields=["last_login"])  # what every login does: no query to compare, nothing ended
        assert me(client_with(two_sessions[0]["access"])).status_code == 200
        assert not ActivityLog.objects.filter(event="password_changed").exists()

    def test_other_users_keep_their_sessions(self, user, make_user, login, client_with, frozen):
        make_user("bob")
        bob = login("bob")
        user.set_password("a brand new password 123")
        user.save()
        assert me(client_with(bob["access"])).status_code == 200

    def test_a_new_user_has_nothing_to_end(self, make_user):
        make_user("carol")
        assert not ActivityLog.objects.filter(category="SECURITY").exists()


class TestDeactivation:
    def test_deactivation_ends_every_session(self, user, two_sessions, api, client_with):
        user.is_active = False
        user.save()
        assert_all_ended(two_sessions, "user_deactivated", api=api, client_with=client_with)
        row = ActivityLog.objects.get(category="SECURITY", event="user_deactivated")
        assert row.message == f"User {user.pk} deactivated; 2 session(s) ended"

    def test_reactivation_brings_no_session_back(self, user, two_sessions, api, client_with):
        user.is_active = False
        user.save()
        user.is_active = True
        user.save()
        assert_all_ended(two_sessions, "user_deactivated", api=api, client_with=client_with)
