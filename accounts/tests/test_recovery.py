"""Session recovery: a session ended by inactivity or its maximum goes on as a new, linked one, for the password."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import LoginSession
from accounts.sessions import session_end
from activity.models import ActivityLog
from conftest import PASSWORD, claims_of, forge, me, refresh

pytestmark = pytest.mark.django_db

MINUTE = 60
IDLE = 21 * MINUTE  # past the default threshold (20 minutes)


def recover(api, token, password=PASSWORD, **extra):
    return api.post("/api/auth/recover", {"refresh": token, "password": password}, format="json", **extra)


def near_its_maximum(login, client_with, frozen, settings):
    """A session active all along, now 1.5 minutes before its 30-minute maximum: within its 2-minute warning."""
    settings.ACCOUNTS = {**settings.ACCOUNTS, "SESSION_MAX_AGE": timedelta(minutes=30)}
    old = login()
    frozen.shift(19 * MINUTE)
    assert me(client_with(old["access"])).status_code == 200
    frozen.shift(9.5 * MINUTE)
    return old


def assert_session_ended(response):
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "session_ended"
    assert set(response.json()) == {"detail", "code"}
    assert not ActivityLog.objects.filter(event="session_recovered").exists()


class TestRecovered:
    def test_an_idle_session_goes_on_as_a_new_linked_one(self, user, login, api, client_with, frozen):
        old = login()
        frozen.shift(IDLE)
        response = recover(api, old["refresh"])
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"access", "refresh", "session_id"}
        assert response["Cache-Control"] == "no-store"
        assert claims_of(body["access"])["sid"] == body["session_id"] != old["session_id"]
        new = LoginSession.objects.get(pk=body["session_id"])
        assert (str(new.recovered_from_id), new.ended_at, new.user_id) == (old["session_id"], None, user.pk)
        ended = LoginSession.objects.get(pk=old["session_id"])
        assert ended.end_reason == "inactive"
        row = ActivityLog.objects.get(event="session_recovered")
        assert (row.category, row.user_id, row.username, str(row.session_id)) == (
            "SECURITY", user.pk, "alice", body["session_id"],
        )  # fmt: skip
        assert row.message == f"Session {old['session_id']} of user {user.pk} recovered as {body['session_id']}"
        assert me(client_with(body["access"])).status_code == 200
        listed = client_with(body["access"]).get("/api/auth/sessions").json()["results"]
        assert {s["id"]: s["recovered_from"] for s in listed} == {
            body["session_id"]: old["session_id"],
            old["session_id"]: None,
        }

    def test_a_session_that_reached_its_maximum_is_recovered_with_its_expired_token(self, user, login, api, frozen):
        old = login()
        frozen.shift(12 * 3600 + MINUTE)  # the refresh token's exp, capped at the session's end, has passed
        assert refresh(api, old["refresh"]).json()["code"] == "token_expired"
        response = recover(api, old["refresh"])
        assert response.status_code == 200, response.content
        assert LoginSession.objects.get(pk=old["session_id"]).end_reason == "expired"

    def test_a_session_whose_maximum_is_near_goes_on_before_it_ends(
        self, user, login, api, client_with, frozen, settings
    ):
        old = near_its_maximum(login, client_with, frozen, settings)
        response = recover(api, old["refresh"])
        assert response.status_code == 200, response.content
        ended = LoginSession.objects.get(pk=old["session_id"])
        assert ended.end_reason == "expired"  # as it was about to
        assert str(LoginSession.objects.get(pk=response.json()["session_id"]).recovered_from_id) == old["session_id"]
        assert me(client_with(response.json()["access"])).status_code == 200

    def test_recovery_is_possible_until_the_window_closes(self, user, login, api, client_with, frozen):
        old = login()
        frozen.shift(IDLE)
        assert me(client_with(old["access"])).json()["code"] == "token_inactive"  # idle since T0+20 min
        frozen.shift(59 * MINUTE)
        assert recover(api, old["refresh"]).status_code == 200

    def test_the_browser_recovers_with_its_cookie_and_gets_no_refresh_token_in_the_body(self, user, frozen):
        browser = APIClient(enforce_csrf_checks=True)
        browser.get("/login/")
        csrf = browser.cookies["csrftoken"].value
        body = {"username": "alice", "password": PASSWORD, "refresh_cookie_only": True}
        old = browser.post("/api/auth/token/", body, format="json", HTTP_X_CSRFTOKEN=csrf).json()
        frozen.shift(IDLE)
        assert browser.post("/api/auth/recover", {"password": PASSWORD}, format="json").status_code == 403  # no CSRF
        response = browser.post("/api/auth/recover", {"password": PASSWORD}, format="json", HTTP_X_CSRFTOKEN=csrf)
        assert response.status_code == 200, response.content
        assert set(response.json()) == {"access", "session_id"}
        cookie = browser.cookies["ndf_refresh"]
        assert claims_of(cookie.value)["sid"] == response.json()["session_id"] != old["session_id"]
        assert cookie["httponly"] is True


class TestRefused:
    def test_past_the_recovery_window(self, user, login, api, client_with, frozen):
        old = login()
        frozen.shift(IDLE)
        me(client_with(old["access"]))  # ends it now
        frozen.shift(60 * MINUTE + 1)
        assert_session_ended(recover(api, old["refresh"]))

    def test_an_idle_session_past_the_window_even_if_nothing_marked_it_ended(self, user, login, api, frozen):
        old = login()
        frozen.shift(20 * MINUTE + 61 * MINUTE)  # idle since T0+20 min, though no request ended it until now
        assert_session_ended(recover(api, old["refresh"]))
        assert LoginSession.objects.get(pk=old["session_id"]).end_reason == "inactive"

    @override_settings(ACCOUNTS={**settings.ACCOUNTS, "SESSION_RECOVERY": timedelta(minutes=5)})
    def test_the_window_is_a_setting(self, user, login, api, client_with, frozen):
        old = login()
        frozen.shift(IDLE)
        me(client_with(old["access"]))
        frozen.shift(5 * MINUTE + 1)
        assert_session_ended(recover(api, old["refresh"]))

    def test_a_signed_out_session(self, user, login, api, client_with, frozen):
        old = login()
        assert client_with(old["access"]).post("/api/auth/logout/").status_code == 204
        assert_session_ended(recover(api, old["refresh"]))

    @pytest.mark.parametrize("reason", ["revoked", "reuse"])
    def test_a_revoked_session_or_one_ended_by_refresh_token_reuse(self, user, login, api, frozen, reason):
        old = login()
        session_end(session=LoginSession.objects.get(pk=old["session_id"]), reason=reason)
        assert_session_ended(recover(api, old["refresh"]))

    def test_reuse_of_a_rotated_refresh_token_ends_a_session_that_cannot_be_recovered(self, user, login, api, frozen):
        old = login()
        newer = refresh(api, old["refresh"]).json()["refresh"]
        assert refresh(api, old["refresh"]).json()["code"] == "session_ended"  # reuse ends the session
        assert_session_ended(recover(api, newer))

    def test_a_session_ended_by_a_password_change(self, user, login, api, frozen):
        old = login()
        frozen.shift(IDLE)
        user.set_password("a new password 2")
        user.save()
        assert LoginSession.objects.get(pk=old["session_id"]).end_reason == "password_changed"
        assert_session_ended(recover(api, old["refresh"], password="a new password 2"))

    def test_an_older_rotated_refresh_token_of_an_idle_session(self, user, login, api, frozen):
        old = login()
        refresh(api, old["refresh"])  # rotated: only the new one is the session's last
        frozen.shift(IDLE)
        assert_session_ended(recover(api, old["refresh"]))

    def test_a_session_still_alive(self, user, login, api, frozen):
        old = login()
        assert_session_ended(recover(api, old["refresh"]))
        assert LoginSession.objects.get(pk=old["session_id"]).ended_at is None

    def test_a_session_whose_maximum_is_near_but_a_wrong_password(
        self, user, login, api, client_with, frozen, settings
    ):
        old = near_its_maximum(login, client_with, frozen, settings)
        assert recover(api, old["refresh"], password="wrong").json()["code"] == "no_active_account"
        assert LoginSession.objects.get(pk=old["session_id"]).ended_at is None  # a typo ends nothing

    def test_a_second_recovery_of_the_same_session(self, user, login, api, frozen):
        old = login()
        frozen.shift(IDLE)
        assert recover(api, old["refresh"]).status_code == 200
        response = recover(api, old["refresh"])
        assert response.status_code == 401
        assert response.json()["code"] == "session_ended"
        assert ActivityLog.objects.filter(event="session_recovered").count() == 1

    def test_a_session_id_alone_recovers_nothing(self, user, login, api, frozen):
        old = login()
        frozen.shift(IDLE)
        assert_session_ended(recover(api, old["session_id"]))
        claims = claims_of(old["refresh"])
        assert_session_ended(recover(api, forge(claims, key="not-the-key-" * 4)))  # the sid in a token we did not sign
        assert_session_ended(recover(api, old["access"]))  # an access token is not a refresh token
        assert_session_ended(APIClient().post("/api/auth/recover", {"password": PASSWORD}, format="json"))

    def test_a_wrong_password_is_a_failed_login_counted_by_the_login_throttles(self, user, login, api, frozen):
        old = login()
        frozen.shift(IDLE)
        for _ in range(5):
            response = recover(api, old["refresh"], password="wrong")
            assert response.status_code == 401
            assert response.json()["code"] == "no_active_account"
        row = ActivityLog.objects.filter(event="login_failed").first()
        message = "Failed session recovery for username 'alice'"
        assert (row.category, row.user_id, row.message) == ("SECURITY", user.pk, message)
        assert "wrong" not in str(list(ActivityLog.objects.values()))
        assert recover(api, old["refresh"]).status_code == 429  # the right password, too late: throttled
        attempt = api.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
        assert attempt.status_code == 429  # the same counters as the login's

    def test_a_missing_password_is_a_400_naming_it(self, user, login, api, frozen):
        old = login()
        frozen.shift(IDLE)
        response = api.post("/api/auth/recover", {"refresh": old["refresh"]}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "required"


def test_a_recovered_session_is_shown_in_the_admin(session, frozen, admin_client):
    old, user = session, session.user
    new = LoginSession.objects.create(
        user=user, created_at=old.created_at, expires_at=old.expires_at, last_activity=old.created_at,
        idle_at=old.idle_at, idle_threshold=old.idle_threshold, idle_ceiling=old.idle_ceiling, recovered_from=old,
    )  # fmt: skip
    page = admin_client.get(f"/admin/accounts/loginsession/{new.pk}/change/")
    assert page.status_code == 200
    assert "Recovered from" in page.content.decode()
    assert str(old.pk) in page.content.decode()
