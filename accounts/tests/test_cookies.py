"""The browser's refresh cookie: HttpOnly, SameSite=Strict, and CSRF-checked when it is the credential."""

import pytest
from rest_framework.test import APIClient

from accounts.models import LoginSession
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


class TestRefreshCookie:
    def test_login_sets_an_httponly_strict_cookie(self, user, login, api):
        body = login()
        cookie = api.cookies["ndf_refresh"]
        assert cookie.value == body["refresh"]
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Strict"
        assert cookie["path"] == "/api/auth/"

    def test_cookie_refresh_needs_csrf(self, user):
        browser = APIClient(enforce_csrf_checks=True)
        browser.get("/login/")  # sets the csrftoken cookie
        csrf = browser.cookies["csrftoken"].value
        browser.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
        response = browser.post("/api/auth/token/refresh/", {}, format="json")
        assert response.status_code == 403
        assert response.json()["detail"].startswith("CSRF failed")
        response = browser.post("/api/auth/token/refresh/", {}, format="json", HTTP_X_CSRFTOKEN=csrf)
        assert response.status_code == 200
        assert "refresh" not in response.json()  # the browser keeps it in the cookie only
        assert browser.cookies["ndf_refresh"]["httponly"] is True

    def test_cookie_logout(self, user):
        browser = APIClient(enforce_csrf_checks=True)
        browser.get("/login/")
        csrf = browser.cookies["csrftoken"].value
        body = browser.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json").json()
        assert browser.post("/api/auth/logout/", HTTP_X_CSRFTOKEN=csrf).status_code == 204
        assert browser.cookies["ndf_refresh"].value == ""
        assert LoginSession.objects.get(pk=body["session_id"]).end_reason == "logout"

    def test_logout_without_credentials(self, api):
        response = api.post("/api/auth/logout/")
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
