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
