"""Failed logins: throttled per username and per IP; successful ones never count."""

import pytest
from rest_framework.test import APIClient

from activity.models import ActivityLog
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


class TestLoginThrottles:
    def test_failed_logins_are_throttled_per_username(self, user, api, frozen):
        for _ in range(5):
            response = api.post("/api/auth/token/", {"username": "Alice", "password": "x"}, format="json")
            assert response.status_code == 401
        response = api.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
        assert response.status_code == 429
        assert response.json()["code"] == "throttled"
        assert int(response["Retry-After"]) == 60
        assert ActivityLog.objects.filter(event="login_failed").count() == 5
        frozen.shift(61)
        response = api.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
        assert response.status_code == 200

    def test_failed_logins_are_throttled_per_ip(self, user, api):
        for n in range(30):
            api.post("/api/auth/token/", {"username": f"user{n}", "password": "x"}, format="json")
        response = api.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
        assert response.status_code == 429
        other_ip = APIClient(REMOTE_ADDR="10.0.0.9")
        response = other_ip.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
        assert response.status_code == 200

    def test_successful_logins_do_not_count(self, user, login):
        for _ in range(10):
            login()
