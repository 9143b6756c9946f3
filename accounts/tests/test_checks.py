"""System checks that warn about contradictory or unsafe configuration."""

from datetime import timedelta

from accounts import checks


class TestChecks:
    def test_warning_window_longer_than_half_the_threshold(self, settings):
        settings.ACCOUNTS = {**settings.ACCOUNTS, "INACTIVITY_THRESHOLD": timedelta(seconds=60), "WARNING_SECONDS": 45}
        assert [w.id for w in checks.check_inactivity_policy(None)] == ["accounts.W001"]

    def test_threshold_not_shorter_than_the_session(self, settings):
        settings.ACCOUNTS = {**settings.ACCOUNTS, "SESSION_MAX_AGE": timedelta(minutes=20)}
        # ... and then the 60-minute access token outlives the 20-minute session too.
        assert [w.id for w in checks.check_inactivity_policy(None)] == ["accounts.W002", "accounts.W003"]

    def test_slow_column_writes(self, settings):
        settings.ACCOUNTS = {**settings.ACCOUNTS, "WRITE_INTERVAL": timedelta(minutes=5)}
        assert [w.id for w in checks.check_inactivity_policy(None)] == ["accounts.W004"]

    def test_short_signing_key(self, settings):
        settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": "short"}
        assert [w.id for w in checks.check_signing_key(None)] == ["accounts.W005"]
        settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": "x" * 32}
        assert checks.check_signing_key(None) == []


RANGE = "INACTIVITY_MIN_MINUTES..INACTIVITY_MAX_MINUTES"


class TestPolicyChecks:
    def test_site_default_outside_the_range(self, settings):
        settings.ACCOUNTS = {**settings.ACCOUNTS, "INACTIVITY_MAX": timedelta(minutes=10)}
        assert [w.id for w in checks.check_policies(None)] == ["accounts.W007"]

    def test_unreachable_overlapping_and_out_of_range_types(self, settings):
        settings.ACTIVITY = {
            **settings.ACTIVITY,
            "TYPES": (
                {"type": "read", "methods": ["GET", "POST"], "prefix": "/api/"},
                {"type": "page", "methods": ["GET"], "prefix": "/api/things/"},  # never reached
                {"type": "edit", "methods": ["GET", "PUT"], "prefix": "/api/x/", "minutes": 90},  # GET taken
            ),
        }
        found = [(w.id, w.msg.split(" (")[0]) for w in checks.check_policies(None)]
        assert found == [
            ("accounts.W008", "Activity type rule 2"),
            ("accounts.W009", "Activity type rule 3"),
            (
                "accounts.W010",
                f"Activity type 'edit' has a window of 90 minutes, outside {RANGE}.",
            ),
        ]

    def test_the_defaults_are_clean(self):
        assert checks.check_policies(None) == []
