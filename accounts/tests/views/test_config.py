"""The policy in force, as the UI reads it."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db


class TestConfig:
    def test_defaults(self, api):
        response = api.get("/api/auth/config")
        assert response.status_code == 200
        data = response.json()
        data.pop("server_time")
        assert data == {
            "inactivity_threshold_minutes": 20,
            "max_token_lifetime_hours": 1,
            "max_token_lifetime_minutes": 60,
            "session_max_hours": 12,
            "warning_seconds": 120,
            "token_check_interval_seconds": 30,
            "activity_check_interval_seconds": 120,
            "features": {
                "inactivity_based_expiration": True,
                "refresh_token_rotation": True,
                "refresh_token_reuse_detection": True,
                "legacy_tokens_accepted": True,
            },
            "policy_source": "site",
        }

    @override_settings(
        ACCOUNTS={**settings.ACCOUNTS, "INACTIVITY_THRESHOLD": timedelta(seconds=3), "WARNING_SECONDS": 120},
        SIMPLE_JWT={**settings.SIMPLE_JWT, "ACCESS_TOKEN_LIFETIME": timedelta(minutes=90)},
    )
    def test_values_in_force(self, api):
        data = api.get("/api/auth/config/").json()
        assert data["inactivity_threshold_minutes"] == 0.05
        assert data["max_token_lifetime_hours"] == 1.5
        assert data["warning_seconds"] == 1.5  # clamped to half the threshold

    def test_a_token_sent_along_is_still_checked(self, user, login, client_with, frozen):
        client = client_with(login()["access"])
        frozen.shift(20 * 60 + 1)
        response = client.get("/api/auth/config")
        assert response.status_code == 401
        assert response.json()["code"] == "token_inactive"
