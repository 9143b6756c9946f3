"""The inactivity decision: every rejection code, the thresholds to the second, and the cost of a request."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.clock import clock_is_shared
from accounts.models import LoginSession
from accounts.views import MeView
from activity.buffer import audit_buffer
from activity.models import ActivityLog
from conftest import assert_rejected, claims_of, forge, legacy_token, me

pytestmark = pytest.mark.django_db

THRESHOLD = 20 * 60  # seconds, the default


class TestInactivity:
    def test_active_token_is_accepted(self, user, login, client_with, frozen):
        tokens = login()
        response = me(client_with(tokens["access"]))
        assert response.status_code == 200
        assert response.json()["username"] == "alice"

    def test_accepted_at_the_threshold_and_rejected_one_second_after(self, user, login, client_with, frozen):
        client = client_with(login()["access"])
        frozen.shift(THRESHOLD)
        assert me(client).status_code == 200  # exactly at the threshold: still active (and this resets it)
        frozen.shift(THRESHOLD + 1)
        assert_rejected(me(client), "token_inactive", "Token rejected due to user inactivity")

    def test_idle_session_ends_for_good(self, user, login, client_with, frozen):
        tokens = login()
        client = client_with(tokens["access"])
        frozen.shift(THRESHOLD + 1)
        assert_rejected(me(client), "token_inactive")
        session = LoginSession.objects.get(pk=tokens["session_id"])
        assert session.end_reason == "inactive"
        assert session.ended_at is not None
        # Even a passive request after that is rejected, with the same code.
        assert_rejected(client.get("/api/auth/session"), "token_inactive")

    def test_inactivity_writes_both_security_messages(self, user, login, client_with, frozen):
        tokens = login()
        frozen.shift(THRESHOLD + 90)
        me(client_with(tokens["access"]))
        rows = ActivityLog.objects.filter(category="SECURITY", session_id=tokens["session_id"])
        messages = sorted(rows.values_list("event", "message"))
        assert ("token_inactive", "Token rejected due to user inactivity") in messages
        assert ("user_inactive", f"User {user.pk} inactive for 21.50 minutes") in messages

    def test_activity_resets_the_clock(self, user, login, client_with, frozen):
        client = client_with(login()["access"])
        frozen.shift(THRESHOLD - 1)
        assert me(client).status_code == 200
        frozen.shift(THRESHOLD - 1)
        assert me(client).status_code == 200
        frozen.shift(THRESHOLD + 1)
        assert_rejected(me(client), "token_inactive")

    def test_passive_requests_do_not_keep_the_session_alive(self, user, login, client_with, frozen):
        client = client_with(login()["access"])
        for _ in range(4):
            frozen.shift(THRESHOLD / 4)
            assert client.get("/api/auth/session").status_code == 200
            assert client.get("/api/logs/recent").status_code == 200
            assert client.get("/api/auth/config").status_code == 200
        frozen.shift(1)
        assert_rejected(client.get("/api/auth/session"), "token_inactive")

    def test_sessions_of_one_user_are_independent(self, user, login, client_with, frozen):
        busy = client_with(login()["access"])
        idle = client_with(login()["access"])
        frozen.shift(THRESHOLD - 1)
        assert me(busy).status_code == 200
        frozen.shift(2)
        assert_rejected(me(idle), "token_inactive")
        assert me(busy).status_code == 200

    def test_extend_counts_as_activity(self, user, login, client_with, frozen):
        client = client_with(login()["access"])
        frozen.shift(THRESHOLD - 1)
        assert client.post("/api/auth/session/extend").status_code == 200
        frozen.shift(THRESHOLD - 1)
        assert client.get("/api/auth/session").status_code == 200

    def test_a_request_in_flight_at_the_deadline_keeps_its_session(self, user, login, client_with, frozen, monkeypatch):
        # Activity counts from the moment a request is accepted, not from when its response is done.
        access = login()["access"]
        frozen.shift(THRESHOLD - 0.015)  # accepted 15 ms before the idle deadline ...
        during = []
        view = MeView.get

        def slow_view(self, request):
            monkeypatch.setattr(MeView, "get", view)  # only the first request is slow
            frozen.shift(0.027)  # ... still running 12 ms after it, when the next request of the session comes
            during.append(me(client_with(access)))
            frozen.shift(0.013)  # ... and done after 40 ms
            return view(self, request)

        monkeypatch.setattr(MeView, "get", slow_view)
        assert me(client_with(access)).status_code == 200
        assert during[0].status_code == 200, during[0].content
        frozen.shift(THRESHOLD - 0.050)  # the second request's activity is what counts now
        assert me(client_with(access)).status_code == 200

    @override_settings(ACCOUNTS={**settings.ACCOUNTS, "INACTIVITY_THRESHOLD": timedelta(seconds=3)})
    def test_threshold_comes_from_settings(self, user, login, client_with, frozen):
        client = client_with(login()["access"])
        frozen.shift(3)
        assert me(client).status_code == 200
        frozen.shift(3.5)
        assert_rejected(me(client), "token_inactive")


class TestExpiry:
    def test_expired_access_token(self, user, login, client_with, frozen):
        tokens = login()
        client = client_with(tokens["access"])
        for _ in range(3):  # stay active: the session is fine, only the token's own exp passes
            frozen.shift(19 * 60)
            assert me(client).status_code == 200
        frozen.shift(4 * 60)  # 61 minutes after login
        assert_rejected(me(client), "token_expired", "Token expired")
        assert LoginSession.objects.get(pk=tokens["session_id"]).ended_at is None

    @override_settings(SIMPLE_JWT={**settings.SIMPLE_JWT, "ACCESS_TOKEN_LIFETIME": timedelta(hours=24)})
    def test_session_maximum_age(self, user, login, client_with, frozen):
        tokens = login()
        client = client_with(tokens["access"])
        # The token would live 24 h, but the session ends after 12 h however busy the user is.
        assert claims_of(tokens["access"])["exp"] == claims_of(tokens["refresh"])["exp"]
        for _ in range(12 * 3 - 1):
            frozen.shift(20 * 60)
            assert me(client).status_code == 200
        frozen.shift(20 * 60)
        assert_rejected(me(client), "token_expired", "Token expired")

    def test_session_past_its_end_is_ended(self, user, login, client_with, frozen):
        tokens = login()
        LoginSession.objects.filter(pk=tokens["session_id"]).update(expires_at="2026-01-05 09:00:30+00:00")
        frozen.shift(30)
        assert_rejected(me(client_with(tokens["access"])), "token_expired", "Token expired")
        assert LoginSession.objects.get(pk=tokens["session_id"]).end_reason == "expired"
        assert ActivityLog.objects.filter(event="session_expired", session_id=tokens["session_id"]).count() == 1


class TestEndedSessions:
    def test_logout_rejects_every_token_of_the_session(self, user, login, client_with, api):
        tokens = login()
        client = client_with(tokens["access"])
        assert client.post("/api/auth/logout/").status_code == 204
        assert_rejected(me(client), "session_ended", "Session ended")
        response = api.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
        assert_rejected(response, "session_ended")

    def test_revoked_session(self, user, login, client_with):
        tokens, other = login(), login()
        client = client_with(other["access"])
        assert client.delete(f"/api/auth/sessions/{tokens['session_id']}").status_code == 204
        assert_rejected(me(client_with(tokens["access"])), "session_ended")
        assert me(client).status_code == 200


@pytest.fixture
def valid_claims(user, login):
    return claims_of(login()["access"])


class TestInvalidTokens:
    @pytest.mark.parametrize(
        "header",
        ["Bearer", "Bearer a b", "Bearer not-a-jwt", "Bearer " + "x" * 5000, "Bearer e30.e30.e30"],
    )
    def test_malformed_headers(self, user, api, header):
        response = api.get("/api/auth/me", HTTP_AUTHORIZATION=header)
        assert_rejected(response, "token_not_valid")

    @pytest.mark.parametrize("scheme", ["bearer", "BEARER", "bEaReR"])
    def test_the_scheme_is_case_insensitive(self, user, login, api, scheme):
        # RFC 7235, 2.1: the auth-scheme is a case-insensitive token.
        response = api.get("/api/auth/me", HTTP_AUTHORIZATION=f"{scheme} {login()['access']}")
        assert response.status_code == 200, response.content

    def test_other_schemes_are_not_ours(self, api):
        response = api.get("/api/auth/me", HTTP_AUTHORIZATION="Basic YWxpY2U6eA==")
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    def test_wrong_signature(self, valid_claims, client_with):
        assert_rejected(
            me(client_with(forge(valid_claims, key="another-key-of-32-bytes-at-least-xx"))), "token_not_valid"
        )

    def test_wrong_audience(self, valid_claims, client_with):
        assert_rejected(me(client_with(forge({**valid_claims, "aud": "someone-else"}))), "token_not_valid")

    def test_refresh_token_is_not_an_access_token(self, user, login, client_with):
        assert_rejected(me(client_with(login()["refresh"])), "token_not_valid")

    def test_alg_none(self, valid_claims, client_with):
        header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
        payload = base64.urlsafe_b64encode(json.dumps(valid_claims).encode()).rstrip(b"=").decode()
        assert_rejected(me(client_with(f"{header}.{payload}.")), "token_not_valid")

    @pytest.mark.parametrize("sid", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", 42])
    def test_unknown_or_malformed_session(self, valid_claims, client_with, sid):
        assert_rejected(me(client_with(forge({**valid_claims, "sid": sid}))), "token_not_valid")

    @pytest.mark.parametrize("exp", ["soon", "1e30", 10**20, 1e300, [1], {"a": 1}, None])
    def test_signed_exp_of_the_wrong_kind(self, valid_claims, client_with, exp):
        assert_rejected(me(client_with(forge({**valid_claims, "exp": exp}))), "token_not_valid")

    def test_signed_exp_far_in_the_past_is_expired(self, valid_claims, client_with):
        assert_rejected(me(client_with(forge({**valid_claims, "exp": -(10**20)}))), "token_expired")

    @pytest.mark.parametrize("claim", ["iat", "nbf"])
    @pytest.mark.parametrize("value", ["soon", 10**20, [1]])
    def test_signed_time_claims_of_the_wrong_kind(self, valid_claims, client_with, claim, value):
        assert_rejected(me(client_with(forge({**valid_claims, claim: value}))), "token_not_valid")

    def test_session_of_another_user(self, valid_claims, make_user, client_with):
        mallory = make_user("mallory")
        forged = forge({**valid_claims, "sub": str(mallory.pk)})
        assert_rejected(me(client_with(forged)), "token_not_valid")

    def test_inactive_user(self, user, login, client_with):
        client = client_with(login()["access"])
        # A save ends the sessions (session_ended, test_receivers.py); a bulk update leaves them to this check.
        type(user).objects.filter(pk=user.pk).update(is_active=False)
        assert_rejected(me(client), "token_not_valid")

    def test_invalid_tokens_are_logged_without_the_token(self, valid_claims, client_with):
        token = forge({**valid_claims, "aud": "x"})
        me(client_with(token))
        row = ActivityLog.objects.get(event="token_not_valid")
        assert row.category == "SECURITY"
        assert row.path == "/api/auth/me"
        assert token not in str(list(ActivityLog.objects.values()))


class TestLegacyTokens:
    def test_legacy_token_accepted_until_its_exp(self, user, client_with, frozen):
        client = client_with(legacy_token(user, exp=int(datetime(2026, 1, 5, 9, 1, tzinfo=UTC).timestamp())))
        frozen.shift(59)
        assert me(client).status_code == 200
        assert not LoginSession.objects.exists()
        frozen.shift(2)
        assert_rejected(me(client), "token_expired")

    def test_legacy_token_lives_no_longer_than_the_token_lifetime_by_its_iat(self, user, client_with, frozen):
        client = client_with(legacy_token(user, exp=int(datetime(2036, 1, 5, tzinfo=UTC).timestamp())))
        frozen.shift(60 * 60 - 1)
        assert me(client).status_code == 200
        frozen.shift(1)
        assert_rejected(me(client), "token_expired")
        assert not ActivityLog.objects.filter(category="SECURITY").exists()  # an expiry, not an attack

    @pytest.mark.parametrize("iat", [None, "yesterday", 4_000_000_000])
    def test_legacy_token_without_a_sound_iat_is_refused(self, user, client_with, iat):
        token = (
            legacy_token(user, iat=iat)
            if iat is not None
            else forge({k: v for k, v in claims_of(legacy_token(user)).items() if k != "iat"})
        )
        assert_rejected(me(client_with(token)), "token_not_valid")

    @pytest.mark.parametrize("how", ["legacy_logout", "session_logout"])
    def test_legacy_token_is_refused_after_a_logout_of_its_user(self, user, login, client_with, frozen, how):
        client = client_with(legacy_token(user))
        frozen.shift(1)
        assert me(client).status_code == 200
        other = client if how == "legacy_logout" else client_with(login()["access"])
        assert other.post("/api/auth/logout/").status_code == 204
        frozen.shift(1)
        assert_rejected(me(client), "session_ended")
        row = ActivityLog.objects.filter(event="session_ended").get()
        assert (row.category, row.user_id, row.path) == ("SECURITY", user.pk, "/api/auth/me")

    def test_legacy_logout_of_one_user_leaves_others_alone(self, user, make_user, client_with, frozen):
        bob = make_user("bob")
        assert client_with(legacy_token(user)).post("/api/auth/logout/").status_code == 204
        frozen.shift(1)
        assert me(client_with(legacy_token(bob))).status_code == 200

    def test_expired_legacy_token(self, user, client_with):
        assert_rejected(me(client_with(legacy_token(user, exp=1_000_000_000))), "token_expired")

    @override_settings(ACCOUNTS={**settings.ACCOUNTS, "ACCEPT_LEGACY_TOKENS": False})
    def test_legacy_tokens_can_be_refused(self, user, client_with):
        assert_rejected(me(client_with(legacy_token(user))), "token_not_valid")

    @pytest.mark.parametrize("sub", ["abc", "999999", ""])
    def test_legacy_token_of_unknown_user(self, user, client_with, sub):
        assert_rejected(me(client_with(legacy_token(user, sub=sub))), "token_not_valid")


class TestFailClosed:
    def test_database_failure_is_503_never_accepted(self, user, login, client_with, monkeypatch):
        client = client_with(login()["access"])

        def broken(*args, **kwargs):
            raise OperationalError("database is down")

        monkeypatch.setattr("accounts.sessions.session_with_user", broken)
        monkeypatch.setattr("accounts.session_cache.session_with_user", broken)  # with Redis, on a miss
        response = me(client)
        assert response.status_code == 503
        assert response.json() == {
            "detail": "The service is temporarily unavailable; try again shortly.",
            "code": "service_unavailable",
        }
        assert response["Retry-After"] == "5"  # the same answer as any view whose database is away

    def test_a_bug_is_a_500_never_accepted_and_an_error_row(self, user, login, monkeypatch):
        # A programming error is not reported as an outage (503): it is a 500, and the operators get a row.
        client = APIClient(raise_request_exception=False)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {login()['access']}")

        def broken(*args, **kwargs):
            raise RuntimeError("a bug")

        monkeypatch.setattr("accounts.authentication.session_check", broken)
        response = me(client)
        assert response.status_code == 500
        assert response.json() == {"detail": "Internal server error.", "code": "server_error"}
        row = ActivityLog.objects.get(category="ERROR")
        assert (row.event, row.message) == ("server_error", "Unexpected failure: RuntimeError")
        assert row.path == "/api/auth/me"


class TestQueryCount:
    def test_tracked_request_queries(self, user, login, client_with, django_assert_num_queries, frozen):
        client = client_with(login()["access"])
        frozen.shift(1)
        if clock_is_shared():
            # Redis keeps the clock: SELECT session JOIN user, INSERT the AUDIT row; the mirror waits its interval.
            with django_assert_num_queries(2):
                assert me(client).status_code == 200
            # ... and the session's snapshot answers the check from then on (accounts/session_cache.py).
            with django_assert_num_queries(1):
                assert me(client).status_code == 200
            frozen.shift(60)
            with django_assert_num_queries(2):  # ... and then the mirror follows, once
                assert me(client).status_code == 200
        else:
            # No shared clock, so the database is the truth: SELECT session JOIN user, UPDATE its mirror, INSERT.
            with django_assert_num_queries(3):
                assert me(client).status_code == 200

    def test_tracked_request_queries_with_batched_audit_rows(
        self, user, login, client_with, django_assert_num_queries, frozen, settings
    ):
        settings.ACTIVITY = {**settings.ACTIVITY, "AUDIT_FLUSH_INTERVAL_SECONDS": 30}
        client = client_with(login()["access"])
        frozen.shift(1)
        # The AUDIT row only joins the queue: SELECT session JOIN user, and the mirror UPDATE unless Redis keeps time.
        with django_assert_num_queries(1 if clock_is_shared() else 2):
            assert me(client).status_code == 200
        assert audit_buffer.flush() == 1
        audit_buffer.stop()
        assert ActivityLog.objects.filter(category="AUDIT").count() == 1

    def test_passive_request_queries(self, user, login, client_with, django_assert_num_queries):
        client = client_with(login()["access"])
        # SELECT session JOIN user: the view uses the session the authentication read.
        with django_assert_num_queries(1):
            assert client.get("/api/auth/session").status_code == 200


def test_security_rows_carry_the_username(user, login, client_with, frozen):
    client = client_with(login()["access"])
    frozen.shift(20 * 60 + 1)
    assert_rejected(me(client), "token_inactive")
    assert_rejected(me(client), "token_inactive")  # the ended session's token, rejected again
    rows = ActivityLog.objects.filter(category="SECURITY").order_by("id")
    assert list(rows.values_list("event", "username")) == [
        ("login_succeeded", "alice"),
        ("user_inactive", "alice"),
        ("token_inactive", "alice"),
        ("token_inactive", "alice"),
    ]
