"""Project-wide promises: every path with and without its slash, JSON errors, the schema, the checks."""

from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/auth/config", 200),
        ("post", "/api/auth/token", 400),
        ("post", "/api/auth/token/refresh", 401),
        ("post", "/api/auth/logout", 401),
        ("get", "/api/auth/me", 401),
        ("get", "/api/auth/session", 401),
        ("post", "/api/auth/session/extend", 401),
        ("get", "/api/auth/sessions", 401),
        ("delete", "/api/auth/sessions/x", 401),
        ("get", "/api/logs/recent", 401),
        ("get", "/api/schema", 200),
        ("get", "/api/docs", 200),
        ("get", "/healthz", 200),
        ("get", "/login", 200),
    ],
)
@pytest.mark.parametrize("slash", ["", "/"])
def test_every_path_answers_with_and_without_slash(api, method, path, status, slash):
    response = getattr(api, method)(path + slash, format="json")
    assert response.status_code == status


def test_unknown_api_path_is_json_404(api):
    response = api.get("/api/nothing/here")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_wrong_method_is_json_405(api):
    response = api.get("/api/auth/token/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "GET" not allowed.', "code": "method_not_allowed"}


def test_schema_is_valid_openapi():
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert out.getvalue().startswith("openapi: 3.0.3")


def test_browsable_api_renders(api):
    response = api.get("/api/auth/config", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"inactivity_threshold_minutes" in response.content


def test_healthz(api):
    assert api.get("/healthz").json() == {"status": "ok"}


def test_system_checks_are_clean():
    out = StringIO()
    call_command("check", stdout=out)
    assert out.getvalue() == "System check identified no issues (0 silenced).\n"


@pytest.mark.parametrize("path", ["/", "/login/"])
def test_pages_are_served_under_a_strict_content_security_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert b"<script>" not in response.content  # every script is a file
    assert "csrftoken" in response.cookies
