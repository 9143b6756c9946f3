"""Failed logins: counted atomically per source, per username and source, and per username; recorded safely."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils.crypto import salted_hmac
from rest_framework.test import APIClient

from accounts.clock import clock_is_shared
from activity.models import ActivityLog
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nobody listens there: every call fails at once
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


def attempt(client, username, password="wrong"):
    return client.post("/api/auth/token/", {"username": username, "password": password}, format="json")


def from_ip(ip):
    return APIClient(REMOTE_ADDR=ip)


class TestLoginThrottles:
    def test_failed_logins_are_throttled_per_username_and_source(self, user, api, frozen):
        for _ in range(5):
            assert attempt(api, "Alice").status_code == 401
        response = attempt(api, "alice", PASSWORD)
        assert response.status_code == 429
        assert response.json() == {"detail": response.json()["detail"], "code": "throttled"}
        assert int(response["Retry-After"]) == 60
        assert ActivityLog.objects.filter(event="login_failed").count() == 5
        frozen.shift(61)
        assert attempt(api, "alice", PASSWORD).status_code == 200

    def test_failed_logins_are_throttled_per_ip(self, user, api):
        for n in range(30):
            assert attempt(api, f"user{n}").status_code == 401
        assert attempt(api, "alice", PASSWORD).status_code == 429
        assert attempt(from_ip("10.0.0.9"), "alice", PASSWORD).status_code == 200

    def test_successful_logins_do_not_count(self, user, login):
        for _ in range(10):
            login()


class TestNoLockoutButton:
    def test_the_owner_signs_in_from_a_source_that_has_not_failed(self, user, frozen):
        attacker = from_ip("203.0.113.7")
        for _ in range(5):
            assert attempt(attacker, "alice").status_code == 401
        assert attempt(attacker, "alice", PASSWORD).status_code == 429
        assert attempt(from_ip("198.51.100.1"), "alice", PASSWORD).status_code == 200

    def test_a_username_has_a_higher_ceiling_across_sources(self, user, frozen):
        for n in range(4):  # 20 failures, 5 from each of four sources: each one evaluated
            for _ in range(5):
                assert attempt(from_ip(f"203.0.113.{n}"), "alice").status_code == 401
        response = attempt(from_ip("198.51.100.1"), "alice", PASSWORD)
        assert response.status_code == 429
        frozen.shift(61)
        assert attempt(from_ip("198.51.100.1"), "alice", PASSWORD).status_code == 200

    def test_usernames_share_a_bucket_the_way_authentication_normalises_them(self, user, api, frozen):
        for typed in ("Carol", " carol", "carol\t", "\uff43\uff41\uff52\uff4f\uff4c", "CAROL"):  # the 4th: NFKC
            assert attempt(api, typed).status_code == 401
        assert attempt(api, "carol").status_code == 429
        assert attempt(api, "alice", PASSWORD).status_code == 200  # another username, same source

    @pytest.mark.parametrize("username", [5, ["alice"], {"name": "alice"}, None, True])
    def test_a_non_string_username_is_a_400_naming_the_field(self, user, api, username):
        response = api.post("/api/auth/token/", {"username": username, "password": PASSWORD}, format="json")
        assert response.status_code == 400
        assert response.json() == {"detail": "username: must be a string.", "code": "invalid"}
        assert not ActivityLog.objects.filter(event__startswith="login").exists()


class TestAtomicSharedCounting:
    def test_an_attempt_is_counted_before_its_password_is_checked(self, user, rf):
        from rest_framework.exceptions import Throttled

        from accounts.throttling import login_attempt_reserve

        request = rf.post("/api/auth/token/", REMOTE_ADDR="203.0.113.9")
        in_flight = [login_attempt_reserve(request=request, username="alice") for _ in range(5)]
        with pytest.raises(Throttled):  # five are being checked: a sixth in parallel is refused
            login_attempt_reserve(request=request, username="alice")
        in_flight[0].release()  # one of them turned out to be the right password: it does not count
        login_attempt_reserve(request=request, username="alice").fail()
        with pytest.raises(Throttled):
            login_attempt_reserve(request=request, username="alice")

    def test_every_process_sees_the_failures_without_a_shared_cache(self, user, api, frozen):
        for _ in range(5):
            assert attempt(api, "alice").status_code == 401
        if not clock_is_shared():
            cache.clear()  # what another process's local-memory cache knows: nothing (Redis is shared anyway)
        assert attempt(api, "alice", PASSWORD).status_code == 429


class TestRedisDown:
    def test_login_refresh_and_logout_work_and_one_error_row_is_written(self, user, api, frozen):
        with override_settings(CACHES=DEAD_REDIS):
            assert attempt(api, "alice").status_code == 401
            body = attempt(api, "alice", PASSWORD)
            assert body.status_code == 200, body.content
            tokens = body.json()
            refreshed = api.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
            assert refreshed.status_code == 200, refreshed.content
            api.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed.json()['access']}")
            assert api.post("/api/auth/logout/").status_code == 204
            api.credentials()
            for _ in range(4):
                assert attempt(api, "alice").status_code == 401
            assert attempt(api, "alice", PASSWORD).status_code == 429  # the database kept counting: not open
            errors = ActivityLog.objects.filter(category="ERROR")
            assert list(errors.values_list("event", flat=True)) == ["login_throttle_degraded"]


class TestFailureRows:
    def test_a_known_username_is_kept(self, user, api):
        attempt(api, "alice")
        row = ActivityLog.objects.get(event="login_failed")
        assert (row.category, row.user_id, row.username) == ("SECURITY", user.pk, "alice")
        assert row.message == "Failed login for username 'alice'"

    def test_an_unknown_username_is_kept_as_a_keyed_hash_not_as_typed(self, user, api):
        attempt(api, "Hunter2-Secret!")
        attempt(api, " hunter2-secret! ")
        rows = list(ActivityLog.objects.filter(event="login_failed").values("message", "username", "user_id"))
        digest = salted_hmac("accounts.login_failed", "hunter2-secret!").hexdigest()[:16]
        expected = {"message": f"Failed login for an unknown username (hash {digest})", "username": "", "user_id": None}
        assert rows == [expected, expected]
        assert "unter2" not in str(list(ActivityLog.objects.values()))
