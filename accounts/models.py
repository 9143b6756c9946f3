"""Login sessions: one per sign-in (token login, admin, browsable API), named by the `sid` claim of its tokens."""

import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models


class LoginSession(models.Model):
    class EndReason(models.TextChoices):
        LOGOUT = "logout", "Signed out"
        REVOKED = "revoked", "Revoked"
        INACTIVE = "inactive", "Inactive"
        EXPIRED = "expired", "Reached its maximum age"
        REUSE = "reuse", "Refresh token reuse"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        USER_DEACTIVATED = "user_deactivated", "User deactivated"

    class Kind(models.TextChoices):
        TOKEN = "token", "Bearer tokens"
        DJANGO = "django", "Django session (admin, browsable API)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions")
    kind = models.CharField(max_length=6, choices=Kind.choices, default=Kind.TOKEN)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(help_text="The session's absolute end, whatever its activity.")
    # When the session was last active, and when it goes idle unless active again, as far as the database knows
    # (accounts/clock.py); `idle_type` is the activity type that set `idle_at`.
    last_activity = models.DateTimeField()
    idle_at = models.DateTimeField()
    idle_type = models.CharField(max_length=16, default="login")
    # The inactivity policy this session is held to (accounts/policies.py): fixed at its start, shortened live.
    idle_threshold = models.DurationField(help_text="Idle this long, it ends.")
    idle_ceiling = models.DurationField(help_text="The longest idle window any activity may earn it.")
    warning_seconds = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: the site's.")
    policy_source = models.CharField(max_length=160, default="site", help_text="site, group:<name> or user")
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=256, blank=True)
    # The jti of the only refresh token of this session that may still be used; any other one is reuse.
    refresh_jti = models.CharField(max_length=64, editable=False)
    # The session this one took over by recovery (accounts/recovery.py): ended by inactivity or its maximum.
    recovered_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="recovered_by", editable=False
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="loginsession_user_created"),
            # What the admin filters and orders on.
            models.Index(fields=["-created_at"], name="loginsession_created"),
            models.Index(fields=["end_reason"], name="loginsession_end_reason"),
            # What pruning looks for (accounts/retention.py); neither changes while the session is used.
            models.Index(fields=["ended_at"], name="loginsession_ended"),
            models.Index(fields=["expires_at"], name="loginsession_expires"),
        ]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class LoginFailureCounter(models.Model):
    """Failed (or in-flight) logins of one throttle bucket in one fixed window, when Redis cannot count them.

    Written only with one atomic upsert per attempt (accounts/login_counters.py), never on the request path of an
    authenticated user. `key` holds a keyed hash, never a typed username.
    """

    key = models.CharField(max_length=100, primary_key=True)
    count = models.IntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key} {self.count}"


class LegacyTokenCutoff(models.Model):
    """Tokens without a session (from before login sessions) issued at or before `at` are refused: their user
    signed out, changed password or was deactivated then. Read only on the legacy path, never per sid request."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="legacy_token_cutoff"
    )
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.user_id} {self.at:%Y-%m-%d %H:%M:%S}"


class LegacyRefreshUse(models.Model):
    """A legacy refresh token already exchanged (by its jti), kept until it would be too old to be accepted anyway:
    a second use is refused and ends the session the first one started."""

    jti = models.CharField(max_length=255, primary_key=True)
    session = models.ForeignKey(LoginSession, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.jti


class GroupPolicy(models.Model):
    """The inactivity policy of a group's members; in several groups, the strictest applies (accounts/policies.py)."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, primary_key=True, related_name="inactivity_policy")
    inactivity_threshold_minutes = models.FloatField(help_text="Also the most a member may choose for themselves.")
    session_max_hours = models.FloatField(null=True, blank=True, help_text="Empty: the site's.")
    warning_seconds = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: the site's.")

    class Meta:
        verbose_name = verbose_name_plural = "group inactivity policies"

    def __str__(self):
        return f"{self.group}: {self.inactivity_threshold_minutes:g} min"

    def clean(self):
        from .conf import accounts_settings  # settings read when used, never at import

        conf = accounts_settings()
        low, high = conf.INACTIVITY_MIN.total_seconds() / 60, conf.INACTIVITY_MAX.total_seconds() / 60
        if not low <= self.inactivity_threshold_minutes <= high:
            message = f"Must be between {low:g} and {high:g} minutes (INACTIVITY_MIN_MINUTES..INACTIVITY_MAX_MINUTES)."
            raise ValidationError({"inactivity_threshold_minutes": message})


class UserPolicy(models.Model):
    """A user's own choice of threshold, within the site's range and never above their strictest group's."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="inactivity_policy"
    )
    inactivity_threshold_minutes = models.FloatField()

    class Meta:
        verbose_name = verbose_name_plural = "user inactivity choices"

    def __str__(self):
        return f"{self.user}: {self.inactivity_threshold_minutes:g} min"
