"""Shared fixtures: users, logged-in clients, and a clean cache per test."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.sessions import _mirrored
from activity.clock import _recorded

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _clean_state():
    cache.clear()
    _mirrored.clear()
    _recorded.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(django_user_model):
    def make(username="alice", *, password=PASSWORD, **fields):
        return django_user_model.objects.create_user(username=username, password=password, **fields)

    return make


@pytest.fixture
def user(make_user):
    return make_user("alice", email="alice@example.com")


@pytest.fixture
def staff(make_user):
    return make_user("sam", is_staff=True)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def login(api):
    """Log in through the real endpoint; return the JSON body (access, refresh, session_id)."""

    def do(username="alice", password=PASSWORD, **extra):
        response = api.post("/api/auth/token/", {"username": username, "password": password}, format="json", **extra)
        assert response.status_code == 200, response.content
        return response.json()

    return do


@pytest.fixture
def client_with():
    """Return an API client that sends `token` as its bearer token."""

    def make(token: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make


@pytest.fixture
def frozen(time_machine):
    """Freeze the clock at a fixed moment; move it with `frozen.shift(seconds)`."""
    time_machine.move_to("2026-01-05 09:00:00+00:00", tick=False)
    return time_machine
