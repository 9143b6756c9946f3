"""Whose threshold: site, strictest group, the user's own choice; shortening applies live, lengthening next time."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from accounts.clock import clock_is_shared
from accounts.models import GroupPolicy, LoginSession, UserPolicy
from accounts.policies import policy_for
from activity.models import ActivityLog
from conftest import assert_rejected, me

pytestmark = pytest.mark.django_db

MINUTE = 60


def group(name, minutes, users=(), **extra):
    g = Group.objects.create(name=name)
    GroupPolicy.objects.create(group=g, inactivity_threshold_minutes=minutes, **extra)
    for user in users:
        user.groups.add(g)
    return g


def minutes(policy) -> float:
    return policy.threshold.total_seconds() / 60


class TestPrecedence:
    def test_the_site_default(self, user):
        policy = policy_for(user)
        assert (minutes(policy), policy.source, policy.ceiling) == (20, "site", timedelta(minutes=60))

    def test_a_group_holds_its_members(self, user):
        group("ops", 10, [user])
        policy = policy_for(user)
        assert (minutes(policy), policy.source, policy.ceiling) == (10, "group:ops", timedelta(minutes=10))

    def test_in_several_groups_the_strictest(self, user):
        group("ops", 10, [user])
        group("lab", 5, [user], session_max_hours=2, warning_seconds=30)
        group("other", 1)  # not a member
        policy = policy_for(user)
        assert (minutes(policy), policy.source) == (5, "group:lab")
        assert (policy.session_max, policy.warning_seconds) == (timedelta(hours=2), 30)

    def test_the_users_choice_within_the_group_ceiling(self, user):
        group("ops", 10, [user])
        UserPolicy.objects.create(user=user, inactivity_threshold_minutes=8)
        assert (minutes(policy_for(user)), policy_for(user).source) == (8, "user")

    def test_never_above_the_group(self, user):
        group("ops", 10, [user])
        UserPolicy.objects.create(user=user, inactivity_threshold_minutes=30)
        assert (minutes(policy_for(user)), policy_for(user).source) == (10, "group:ops")

    def test_without_a_group_anywhere_in_the_site_range(self, user):
        UserPolicy.objects.create(user=user, inactivity_threshold_minutes=45)
        assert (minutes(policy_for(user)), policy_for(user).source) == (45, "user")

    def test_a_group_policy_outside_the_site_range_is_refused(self):
        policy = GroupPolicy(group=Group.objects.create(name="x"), inactivity_threshold_minutes=90)
        with pytest.raises(ValidationError, match="between 1 and 60 minutes"):
            policy.full_clean()


class TestLive:
    def test_a_session_starts_with_its_users_policy(self, user, login):
        group("ops", 10, [user], session_max_hours=2)
        session = LoginSession.objects.get(pk=login()["session_id"])
        assert (session.idle_threshold, session.policy_source) == (timedelta(minutes=10), "group:ops")
        assert session.expires_at - session.created_at == timedelta(hours=2)

    def test_shortening_applies_to_live_sessions_at_once(self, user, login, client_with, frozen):
        client = client_with(login()["access"])  # held to the site's 20 minutes
        group("ops", 10, [user])  # joining a stricter group
        frozen.shift(10 * MINUTE + 1)
        assert_rejected(me(client), "token_inactive")

    def test_a_stricter_group_policy_applies_to_its_members_at_once(self, user, login, client_with, frozen):
        ops = group("ops", 15, [user])
        client = client_with(login()["access"])
        frozen.shift(5 * MINUTE)
        assert me(client).status_code == 200
        GroupPolicy.objects.filter(group=ops).update(inactivity_threshold_minutes=3)  # a bulk update: no signal
        GroupPolicy.objects.get(group=ops).save()  # saved in the admin: the signal
        frozen.shift(3 * MINUTE + 1)
        assert_rejected(me(client), "token_inactive")

    def test_a_shorter_session_maximum_applies_at_once(self, user, login, client_with, frozen):
        client = client_with(login()["access"])
        group("ops", 20, [user], session_max_hours=1)  # the session was to last 12 hours: now 1
        for _ in range(5):
            frozen.shift(11 * MINUTE)
            assert me(client).status_code == 200  # active all along
        frozen.shift(5 * MINUTE)
        assert_rejected(me(client), "token_expired")

    def test_lengthening_waits_for_the_next_session(self, user, login, client_with, api, frozen):
        old = client_with(login()["access"])
        UserPolicy.objects.create(user=user, inactivity_threshold_minutes=45)
        new = client_with(login()["access"])
        frozen.shift(21 * MINUTE)
        assert_rejected(me(old), "token_inactive")  # still the 20 minutes it started with
        assert me(new).status_code == 200


class TestEndpoint:
    def test_get_is_passive_and_says_where_the_threshold_comes_from(self, user, login, client_with):
        group("ops", 30, [user])
        response = client_with(login()["access"]).get("/api/auth/policy")
        assert response.json() == {"inactivity_threshold_minutes": 30.0, "source": "group:ops", "min": 1.0, "max": 30.0}
        assert not ActivityLog.objects.filter(category="AUDIT").exists()

    def test_put_chooses_within_the_range(self, user, login, client_with, frozen):
        client = client_with(login()["access"])
        response = client.put("/api/auth/policy", {"inactivity_threshold_minutes": 5}, format="json")
        assert (response.status_code, response.json()["source"]) == (200, "user")
        assert ActivityLog.objects.get(category="AUDIT").message == "API request: PUT /api/auth/policy"
        frozen.shift(5 * MINUTE + 1)  # a shorter choice applies to this session at once
        assert_rejected(me(client), "token_inactive")

    @pytest.mark.parametrize("value", [0.5, 61, "x"])
    def test_out_of_range_is_a_400_naming_the_bounds(self, user, login, client_with, value):
        response = client_with(login()["access"]).put(
            "/api/auth/policy", {"inactivity_threshold_minutes": value}, format="json"
        )
        assert response.status_code == 400
        if value != "x":
            assert "between 1 and 60 minutes" in str(response.json())
        assert not UserPolicy.objects.exists()

    def test_null_goes_back_to_the_group(self, user, login, client_with):
        group("ops", 30, [user])
        client = client_with(login()["access"])
        client.put("/api/auth/policy", {"inactivity_threshold_minutes": 10}, format="json")
        response = client.put("/api/auth/policy", {"inactivity_threshold_minutes": None}, format="json")
        assert (response.json()["inactivity_threshold_minutes"], response.json()["source"]) == (30.0, "group:ops")


class TestReported:
    def test_session_and_config_with_a_token_report_the_sessions_policy(self, user, login, client_with, api):
        group("ops", 10, [user], warning_seconds=90)
        client = client_with(login()["access"])
        state = client.get("/api/auth/session").json()
        assert (state["inactivity_threshold_minutes"], state["policy_source"], state["warning_seconds"]) == (
            10.0,
            "group:ops",
            90.0,
        )
        config = client.get("/api/auth/config").json()
        assert (config["inactivity_threshold_minutes"], config["warning_seconds"], config["policy_source"]) == (
            10,
            90,
            "group:ops",
        )
        assert api.get("/api/auth/config").json()["inactivity_threshold_minutes"] == 20  # without: the site's

    def test_the_per_request_cost_does_not_change(self, user, login, client_with, django_assert_num_queries, frozen):
        group("ops", 10, [user])
        UserPolicy.objects.create(user=user, inactivity_threshold_minutes=8)
        client = client_with(login()["access"])
        frozen.shift(1)
        # As with no policy at all (TestQueryCount): SELECT session JOIN user, INSERT the row, and UPDATE its clock
        # unless Redis keeps it.
        with django_assert_num_queries(2 if clock_is_shared() else 3):
            assert me(client).status_code == 200


EDIT_RULES = (
    {"type": "edit", "methods": ["PUT"], "prefix": "/api/auth/policy", "minutes": 45},
    {"type": "policy", "methods": ["GET"], "prefix": "/api/auth/policy", "minutes": "passive"},
    {"type": "read", "methods": ["GET", "HEAD", "OPTIONS"]},
    {"type": "write", "methods": ["POST", "PUT", "PATCH", "DELETE"]},
)


@pytest.fixture
def edit_rules(settings):
    settings.ACTIVITY = {**settings.ACTIVITY, "TYPES": EDIT_RULES}


@pytest.mark.usefixtures("edit_rules")
class TestActivityTypes:
    def put_policy(self, client, minutes=20):
        return client.put("/api/auth/policy", {"inactivity_threshold_minutes": minutes}, format="json")

    def test_a_long_edit_earns_its_window_and_a_read_after_it_does_not_cut_it_short(
        self, user, login, client_with, frozen
    ):
        client = client_with(login()["access"])
        assert self.put_policy(client).status_code == 200  # an "edit": alive for 45 minutes from now
        frozen.shift(MINUTE)
        assert me(client).status_code == 200  # a "read": 20 minutes, which ends sooner
        state = client.get("/api/auth/session").json()
        assert (state["idle_expires_at"], state["idle_type"]) == ("2026-01-05T09:45:00Z", "edit")
        frozen.shift(43 * MINUTE)
        assert client.get("/api/auth/session").status_code == 200  # 44 minutes after the edit
        frozen.shift(MINUTE + 1)
        assert_rejected(client.get("/api/auth/session"), "token_inactive")

    def test_every_audit_row_records_its_type(self, user, login, client_with):
        client = client_with(login()["access"])
        self.put_policy(client)
        me(client)
        client.get("/api/auth/policy")  # a passive type: no row
        rows = ActivityLog.objects.filter(category="AUDIT").order_by("id")
        assert list(rows.values_list("path", "activity_type")) == [
            ("/api/auth/policy", "edit"),
            ("/api/auth/me", "read"),
        ]

    def test_a_window_never_goes_above_the_group_ceiling(self, user, login, client_with, frozen):
        group("ops", 10, [user])
        client = client_with(login()["access"])
        assert self.put_policy(client, 10).status_code == 200
        frozen.shift(10 * MINUTE + 1)
        assert_rejected(me(client), "token_inactive")  # the edit's 45 minutes held to the group's 10

    def test_never_past_the_session_maximum(self, user, login, client_with, frozen, settings):
        settings.ACCOUNTS = {**settings.ACCOUNTS, "SESSION_MAX_AGE": timedelta(minutes=30)}
        client = client_with(login()["access"])
        self.put_policy(client)
        state = client.get("/api/auth/session").json()
        assert (state["idle_expires_at"], state["idle_type"]) == ("2026-01-05T09:30:00Z", "maximum")


class TestOffSwitch:
    @pytest.fixture(autouse=True)
    def off(self, settings):
        settings.ACCOUNTS = {**settings.ACCOUNTS, "INACTIVITY_BASED_EXPIRATION": False}

    def test_sessions_end_only_by_their_maximum(self, user, login, client_with, frozen, api):
        client = client_with(login()["access"])
        frozen.shift(50 * MINUTE)  # idle far past the threshold
        assert me(client).status_code == 200
        assert client.get("/api/auth/session").json()["idle_expires_at"] == "2026-01-05T21:00:00Z"
        assert api.get("/api/auth/config").json()["features"]["inactivity_based_expiration"] is False
        assert ActivityLog.objects.filter(category="AUDIT").count() == 1  # the audit log keeps running
