"""Every error is JSON {"detail", "code"} (field errors also under "errors"): bad bodies, parameters and health."""

from unittest import mock

import pytest
from django.db import DatabaseError

from activity.models import ActivityLog
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) <= {"detail", "code", "errors"}
    assert {"detail", "code"} <= set(body)
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.fixture
def alice_client(user, login, client_with):
    return client_with(login()["access"])


class TestFieldErrors:
    def test_empty_login_names_both_fields(self, api):
        body = assert_error(api.post("/api/auth/token/", {}, format="json"), 400, "required")
        assert body["errors"] == {"username": ["This field is required."], "password": ["This field is required."]}
        assert body["detail"] == "Invalid 'username': This field is required."

    def test_non_object_body(self, api):
        body = assert_error(api.post("/api/auth/token/", [1, 2], format="json"), 400, "invalid")
        assert body["errors"] == {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}
        assert body["detail"] == "Invalid data. Expected a dictionary, but got list."


class TestUnparsableBodies:
    @pytest.mark.parametrize(
        "body",
        [b"[" * 100_000, b"{" * 100_000, b'{"username": ' * 50_000, b"{", b"\xff\xfe", b'{"a": NaN}'],
        ids=["deep-lists", "deep-objects", "deep-keys", "truncated", "not-utf8", "nan"],
    )
    def test_is_400_parse_error(self, api, body):
        response = api.post("/api/auth/token/", body, content_type="application/json")
        assert_error(response, 400, "parse_error")

    def test_deep_nesting_of_a_valid_login_is_refused_before_the_login(self, user, api):
        body = b'{"username": "alice", "password": "' + PASSWORD.encode() + b'", "x": ' + b"[" * 5000 + b"]" * 5000
        response = api.post("/api/auth/token/", body + b"}", content_type="application/json")
        assert_error(response, 400, "parse_error")
        assert not ActivityLog.objects.filter(event="login_succeeded").exists()


class TestParameters:
    @pytest.mark.parametrize("name", ["limit", "user_id"])
    @pytest.mark.parametrize("value", ["²", "①", "٣", "５", "𝟓", "1²"])
    def test_only_ascii_digits_are_numbers(self, alice_client, name, value):
        response = alice_client.get("/api/logs/recent", {name: value})
        body = assert_error(response, 400, "invalid_parameter")
        assert body["detail"].startswith(f"Invalid '{name}': must be a positive whole number")


class TestHealth:
    def test_unavailable_is_503_service_unavailable_with_retry_after(self, api):
        with mock.patch("ndfstudio.views.connection.cursor", side_effect=DatabaseError("down")):
            response = api.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {
            "detail": "The service is temporarily unavailable; try again shortly.",
            "code": "service_unavailable",
            "status": "unavailable",  # what monitors read before
            "database": "unreachable",
        }
        assert response["Retry-After"] == "5"
