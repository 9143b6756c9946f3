"""What counts as activity."""

import pytest
from django.conf import settings
from django.test import override_settings

from activity.tracking import TrackedRequest, path_is_passive, request_accepted, request_tracked
from activity.types import activity_type_for


@pytest.mark.parametrize(
    "path",
    [
        "/api/auth/config",
        "/api/auth/config/",
        "/api/auth/session",
        "/api/auth/session/",
        "/api/logs/recent",
        "/api/logs/recent/",
        "/api/schema",
        "/api/schema/",
        "/api/docs",
        "/static/css/app.css",
        "/favicon.ico",
        "/healthz",
        "/healthz/",
    ],
)
def test_passive(path):
    assert path_is_passive(path)


@pytest.mark.parametrize(
    "path",
    [
        "/api/auth/me",
        "/api/auth/session/extend",
        "/api/auth/session/extend/",
        "/api/auth/sessions",
        "/api/auth/sessions/abc",
        "/api/auth/logout/",
        "/api/auth/configuration",
        "/api/logsx",
        "/",
    ],
)
def test_tracked(path):
    assert not path_is_passive(path)


@override_settings(ACTIVITY={**settings.ACTIVITY, "EXCLUDED_PATHS": ("/api/ping", "/internal/")})
def test_excluded_paths_are_prefixes():
    assert path_is_passive("/api/ping")
    assert path_is_passive("/api/ping/deep")
    assert path_is_passive("/internal/x")
    assert not path_is_passive("/api/auth/me")


def test_an_accepted_request_is_tracked_unless_its_path_is_passive(rf):
    from rest_framework.request import Request

    at = object()
    tracked = rf.get("/api/auth/me")
    noted = request_accepted(Request(tracked), user="alice", session_id="s1", at=at)  # through DRF's wrapper
    assert (
        noted
        == request_tracked(tracked)
        == TrackedRequest(user="alice", session_id="s1", accepted_at=at, activity_type=activity_type_for("GET", "/"))
    )
    assert noted.activity_type.type == "read"
    passive = rf.get("/api/auth/session")
    assert request_accepted(passive, user="alice", session_id="s1", at=at) is None
    assert request_tracked(passive) is None
    assert request_tracked(rf.get("/api/auth/me")) is None  # nothing accepted it
