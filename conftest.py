"""Shared fixtures and helpers: users, logged-in clients, forged tokens, and a clean slate per test."""

import uuid
from datetime import UTC, datetime

import jwt
import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import clock, login_counters, prepared, session_cache
from accounts.sessions import session_start
from activity import buffer, failures, retention
from tests.live import redis_server

PASSWORD = "correct horse battery staple"
T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)  # the moment `frozen` starts at


def me(client):
    return client.get("/api/auth/me")


def assert_rejected(response, code, detail_prefix=None):
    """Assert the one shape of every authentication failure: 401, exactly {detail, code}, a Bearer challenge."""
    assert response.status_code == 401, response.content
    body = response.json()
    assert set(body) == {"detail", "code"}
    assert body["code"] == code
    if detail_prefix:
        assert body["detail"].startswith(detail_prefix)
    assert response["WWW-Authenticate"].startswith("Bearer ")


def forge(claims: dict, *, key=None, alg="HS256") -> str:
    return jwt.encode(claims, key or settings.SECRET_KEY, algorithm=alg)


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def refresh(api, token, **extra):
    """Exchange a refresh token through the real endpoint."""
    return api.post("/api/auth/token/refresh/", {"refresh": token}, format="json", **extra)


def legacy_token(user, *, token_type="access", **claims) -> str:  # noqa: S107 (a claim, not a password)
    """A token as issued before login sessions existed: no `sid`; valid for 10 minutes unless `exp` says otherwise."""
    now = int(timezone.now().timestamp())
    base = {"token_type": token_type, "sub": str(user.pk), "aud": "ndfstudio", "jti": "legacy", "iat": now}
    return forge({**base, "exp": now + 600, **claims})


@pytest.fixture(autouse=True)
def _clean_state():
    cache.clear()
    for module in (clock, login_counters, prepared, session_cache, buffer, failures, retention):
        module.reset()  # what each process keeps for itself
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
    """Freeze the clock at T0; move it with `frozen.shift(seconds)`."""
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def session(user):
    """A login session of `user`, started at T0."""
    session, _, _ = session_start(user=user, request=RequestFactory().get("/"), now=T0)
    return session


@pytest.fixture
def redis_cache(settings):
    """The cache on a private redis-server, under a prefix of the test's own; yields (client, prefix)."""
    prefix = f"ttl-{uuid.uuid4().hex[:8]}"
    with redis_server() as server:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": server.url,
                "KEY_PREFIX": prefix,
            }
        }
        with server.client() as client:
            yield client, prefix
