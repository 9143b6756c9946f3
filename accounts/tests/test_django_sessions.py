"""Sign-ins on the Django session cookie (the admin, the browsable API) are login sessions under the same rules."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.clock import clock_is_shared
from accounts.models import LoginSession
from activity.models import ActivityLog
from conftest import PASSWORD, assert_rejected, legacy_token

pytestmark = pytest.mark.django_db

THRESHOLD = 20 * 60


@pytest.fixture
def staff(make_user):
    return make_user("sam", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_browser(staff):
    """A browser signed in to the admin through its real login form."""
    browser = Client()
    response = browser.post("/admin/login/", {"username": "sam", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302, response.content
    return browser


def session_of(user) -> LoginSession:
    return LoginSession.objects.get(user=user)


class TestSignIn:
    def test_admin_sign_in_starts_a_django_login_session(self, staff, staff_browser):
        session = session_of(staff)
        assert (session.kind, session.ended_at, session.refresh_jti) == ("django", None, "")
        row = ActivityLog.objects.get(event="login_succeeded")
        assert (row.category, row.username, str(row.session_id)) == ("SECURITY", "sam", str(session.pk))
        assert row.message == f"User {staff.pk} signed in (django session)"

    def test_the_cookie_never_outlives_the_login_session(self, staff, frozen):
        browser = Client()
        browser.post("/admin/login/", {"username": "sam", "password": PASSWORD})
        assert browser.session.get_expiry_date() == session_of(staff).expires_at == timezone.now() + timedelta(hours=12)

    def test_browsable_api_sign_in(self, user):
        browser = Client()
        response = browser.post("/api-auth/login/", {"username": "alice", "password": PASSWORD, "next": "/api/auth/me"})
        assert response.status_code == 302
        assert session_of(user).kind == "django"
        me = browser.get("/api/auth/me", HTTP_ACCEPT="application/json")
        assert me.status_code == 200
        assert me.json()["session_id"] == str(session_of(user).pk)

    def test_the_browsable_api_offers_a_log_in_link(self, user):
        page = Client().get("/api/auth/me", HTTP_ACCEPT="text/html")
        assert page.status_code == 401
        assert b"<a href='/api-auth/login/?next=/api/auth/me'>Log in</a>" in page.content


class TestIdleRule:
    def test_an_idle_admin_lands_on_the_login_page_saying_why(self, staff, frozen):
        browser = Client()
        browser.post("/admin/login/", {"username": "sam", "password": PASSWORD})
        assert browser.get("/admin/").status_code == 200
        frozen.shift(THRESHOLD + 1)
        response = browser.get("/admin/activity/activitylog/")
        assert response.status_code == 302
        assert response["Location"] == "/admin/login/?next=%2Fadmin%2Factivity%2Factivitylog%2F&reason=inactive"
        assert session_of(staff).end_reason == "inactive"
        assert browser.get("/admin/").status_code == 302  # the Django session is gone too
        assert ActivityLog.objects.filter(event="user_inactive", username="sam").count() == 1

    def test_admin_activity_keeps_the_session_alive(self, staff, frozen):
        browser = Client()
        browser.post("/admin/login/", {"username": "sam", "password": PASSWORD})
        for _ in range(3):
            frozen.shift(THRESHOLD - 1)
            assert browser.get("/admin/").status_code == 200

    def test_polling_the_session_is_passive(self, staff, frozen):
        browser = Client()
        browser.post("/admin/login/", {"username": "sam", "password": PASSWORD})
        frozen.shift(THRESHOLD - 1)
        assert browser.get("/api/auth/session").status_code == 200
        frozen.shift(2)
        assert_rejected(browser.get("/api/auth/session"), "token_inactive")

    def test_a_browsable_api_request_gets_the_bearer_codes(self, user, frozen):
        browser = Client()
        browser.post("/api-auth/login/", {"username": "alice", "password": PASSWORD})
        frozen.shift(THRESHOLD + 1)
        assert_rejected(browser.get("/api/auth/me"), "token_inactive", "Token rejected due to user inactivity")
        assert_rejected(browser.get("/api/auth/me"), "not_authenticated")  # signed out for good

    def test_a_django_session_without_a_login_session_is_signed_out(self, staff):
        browser = Client()
        browser.force_login(staff)
        session = browser.session
        del session["_ndf_login_session"]
        session.save()
        assert browser.get("/admin/")["Location"].endswith("reason=invalid")

    def test_a_revoked_session_ends_the_django_session(self, user, make_user, login, client_with):
        browser = Client()
        browser.post("/api-auth/login/", {"username": "alice", "password": PASSWORD})
        sid = str(session_of(user).pk)
        assert client_with(login()["access"]).delete(f"/api/auth/sessions/{sid}").status_code == 204
        assert_rejected(browser.get("/api/auth/me"), "session_ended")
        assert_rejected(browser.get("/api/auth/me"), "not_authenticated")


class TestSignOut:
    def test_admin_logout_ends_the_login_session(self, staff, staff_browser):
        assert staff_browser.post("/admin/logout/").status_code == 200
        session = session_of(staff)
        assert session.end_reason == "logout"
        assert ActivityLog.objects.filter(event="logout", username="sam").count() == 1

    def test_api_logout_on_the_cookie_needs_csrf_and_ends_both(self, user):
        browser = Client(enforce_csrf_checks=True)
        browser.get("/api-auth/login/")
        token = browser.cookies["csrftoken"].value
        browser.post("/api-auth/login/", {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token})
        token = browser.cookies["csrftoken"].value
        assert browser.post("/api/auth/logout").status_code == 403  # no CSRF token: refused
        assert browser.post("/api/auth/logout", HTTP_X_CSRFTOKEN=token).status_code == 204
        assert session_of(user).end_reason == "logout"
        assert_rejected(browser.get("/api/auth/me"), "not_authenticated")


class TestAudit:
    def test_a_tracked_admin_request_writes_one_audit_row(self, staff, staff_browser):
        staff_browser.get("/admin/accounts/loginsession/")
        row = ActivityLog.objects.get(category="AUDIT")
        assert (row.event, row.message, row.username, row.status_code) == (
            "admin_request",
            "Admin request: GET /admin/accounts/loginsession/ (django session)",
            "sam",
            200,
        )
        assert str(row.session_id) == str(session_of(staff).pk)

    def test_query_count_of_a_passive_admin_request(self, staff, staff_browser, django_assert_num_queries):
        # The Django session, and the login session with its user (standing in for the auth middleware's user query).
        with django_assert_num_queries(2):
            assert staff_browser.get("/admin/jsi18n/").status_code == 200  # passive: no clock write, no row
        assert not ActivityLog.objects.filter(category="AUDIT").exists()

    def test_query_count_of_a_tracked_admin_request(self, staff, staff_browser, django_assert_num_queries):
        # As above, plus the clock's column (unless Redis keeps the clock), the AUDIT row, and the admin index's own
        # query (its "recent actions").
        with django_assert_num_queries(4 if clock_is_shared() else 5):
            assert staff_browser.get("/admin/").status_code == 200


class TestSignOutEverywhere:
    def test_logout_all_ends_every_session_and_says_how_many(self, user, make_user, login, client_with):
        browser = Client()
        browser.post("/api-auth/login/", {"username": "alice", "password": PASSWORD})
        first, second = login(), login()
        make_user("bob")
        bobs = login("bob")
        response = client_with(first["access"]).post("/api/auth/logout/all")
        assert (response.status_code, response.json()) == (200, {"ended": 3})
        assert set(LoginSession.objects.filter(user=user).values_list("end_reason", flat=True)) == {"logout"}
        assert_rejected(client_with(second["access"]).get("/api/auth/me"), "session_ended")
        assert_rejected(browser.get("/api/auth/me"), "session_ended")
        assert client_with(bobs["access"]).get("/api/auth/me").status_code == 200  # nobody else's
        row = ActivityLog.objects.get(event="logout_all")
        assert (row.category, row.username, row.message) == (
            "SECURITY",
            "alice",
            f"User {user.pk} signed out everywhere; 3 session(s) ended",
        )

    def test_logout_all_on_the_cookie(self, user):
        browser = Client()
        browser.post("/api-auth/login/", {"username": "alice", "password": PASSWORD})
        response = browser.post("/api/auth/logout/all/")
        assert (response.status_code, response.json()) == (200, {"ended": 1})
        assert_rejected(browser.get("/api/auth/me"), "not_authenticated")

    def test_logout_all_ends_the_users_legacy_tokens_too(self, user, login, client_with):
        old = legacy_token(user)
        assert client_with(old).get("/api/auth/me").status_code == 200
        current = client_with(login()["access"])
        assert current.post("/api/auth/logout/all").json() == {"ended": 1}
        assert_rejected(client_with(old).get("/api/auth/me"), "session_ended")

    def test_needs_a_sign_in(self, api):
        assert_rejected(api.post("/api/auth/logout/all"), "not_authenticated")
