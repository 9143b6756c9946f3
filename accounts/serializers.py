"""Request and response shapes of the accounts endpoints."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework import serializers
from rest_framework_simplejwt.serializers import TokenObtainSerializer

from .authentication import request_login_session
from .clock import session_clock_read
from .conf import accounts_settings
from .models import LoginSession
from .policies import HOUR, MINUTE
from .sessions import session_start


class LoginSerializer(TokenObtainSerializer):
    """Check the credentials (SimpleJWT's way) and start a login session."""

    refresh_cookie_only = serializers.BooleanField(
        write_only=True,
        default=False,
        help_text="Browsers: return the refresh token only as the HttpOnly cookie, never in the body (the web UI "
        "sends true; any request with Fetch Metadata headers is treated so anyway).",
    )
    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True, help_text="Absent for browsers: they get it only as the cookie.")
    session_id = serializers.UUIDField(read_only=True)

    def validate(self, attrs):
        super().validate(attrs)  # raises AuthenticationFailed with code no_active_account
        self.refresh_cookie_only = attrs.get("refresh_cookie_only", False)
        self.started = session_start(user=self.user, request=self.context["request"])  # for the view to answer with
        session, refresh, access = self.started
        return {"access": str(access), "refresh": str(refresh), "session_id": str(session.pk)}


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(
        required=False,
        trim_whitespace=False,  # " " is a bad token (401), not a blank field: the schema's minLength counts it
        help_text="The refresh token; browsers may send it in the refresh cookie instead.",
    )
    access = serializers.CharField(read_only=True)
    session_id = serializers.UUIDField(read_only=True)


class RecoverSerializer(serializers.Serializer):
    refresh = serializers.CharField(
        required=False,
        write_only=True,
        trim_whitespace=False,
        help_text="The ended session's last refresh token; browsers send the refresh cookie instead.",
    )
    password = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})
    refresh_cookie_only = serializers.BooleanField(write_only=True, default=False, help_text="As for a login.")
    access = serializers.CharField(read_only=True)
    session_id = serializers.UUIDField(read_only=True, help_text="The new session's.")


class LogoutAllSerializer(serializers.Serializer):
    ended = serializers.IntegerField(help_text="How many login sessions ended.")


class UserSerializer(serializers.ModelSerializer):
    # Django allows a user without an email: "" is a valid answer, so no `format: email` in the schema.
    email = serializers.CharField(read_only=True, allow_blank=True, help_text="An email address, or empty.")

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "email", "first_name", "last_name", "is_staff", "last_login"]
        read_only_fields = fields


class MeSerializer(UserSerializer):
    session_id = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "session_id"]
        read_only_fields = fields

    def get_session_id(self, user) -> str | None:
        session = request_login_session(self.context["request"])  # None for a legacy token
        return str(session.pk) if session is not None else None


_DATETIME = serializers.DateTimeField()  # formats as a serializer's field does, with the settings in force at each call


def me_data(user, *, request) -> dict:
    """Return `MeSerializer(user, context={"request": request}).data`, built plainly.

    A ModelSerializer builds its fields from the model anew for every instance, about a third of `/api/auth/me`'s
    time; `MeSerializer` stays the description (the schema) and `test_serializers.py` holds the two equal.
    """
    session = request_login_session(request)
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_staff": user.is_staff,
        "last_login": None if user.last_login is None else _DATETIME.to_representation(user.last_login),
        "session_id": str(session.pk) if session is not None else None,
    }


class LoginSessionSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField()
    active = serializers.SerializerMethodField(help_text="Usable now: not ended, not idle, not past its end.")
    idle_expires_at = serializers.SerializerMethodField(help_text="When it goes idle without further activity.")
    end_reason = serializers.ChoiceField(
        choices=LoginSession.EndReason.choices, allow_blank=True, read_only=True, help_text="Empty while it lasts."
    )

    class Meta:
        model = LoginSession
        fields = [
            "active",
            "idle_expires_at",
            "id",
            "kind",
            "idle_threshold",
            "policy_source",
            "created_at",
            "last_activity",
            "expires_at",
            "ip",
            "user_agent",
            "current",
            "ended_at",
            "end_reason",
            "recovered_from",
        ]
        read_only_fields = fields

    def get_current(self, session) -> bool:
        return str(session.pk) == self.context.get("current_session_id")

    def get_idle_expires_at(self, session) -> datetime | None:
        # A session that went idle is ended by its next checked request; the list tells the truth before that.
        if not hasattr(session, "_idle_expires_at"):
            session._idle_expires_at = None if session.ended_at else session_clock_read(session=session).idle_at
        return session._idle_expires_at

    def get_active(self, session) -> bool:
        idle_expires_at = self.get_idle_expires_at(session)
        return idle_expires_at is not None and timezone.now() < idle_expires_at


class LoginSessionListSerializer(serializers.Serializer):
    results = LoginSessionSerializer(many=True)


class SessionStateSerializer(serializers.Serializer):
    session_id = serializers.UUIDField()
    user = UserSerializer()
    last_activity = serializers.DateTimeField()
    idle_expires_at = serializers.DateTimeField(help_text="When an idle sign-out happens without further activity.")
    expires_at = serializers.DateTimeField(help_text="The session's absolute end.")
    server_time = serializers.DateTimeField()
    inactivity_threshold_minutes = serializers.FloatField(help_text="This session's, by its policy.")
    policy_source = serializers.CharField(help_text="Where the threshold comes from: site, group:<name> or user.")
    idle_type = serializers.CharField(help_text="The activity type whose idle window set idle_expires_at.")
    warning_seconds = serializers.FloatField(help_text="How long before the idle sign-out the UI warns.")


class PolicySerializer(serializers.Serializer):
    """The user's threshold and the range they may choose in: the site's (INACTIVITY_MIN..MAX_MINUTES), up to their
    strictest group's. A value outside it is a 400 naming the bounds."""

    inactivity_threshold_minutes = serializers.FloatField(allow_null=True)
    source = serializers.CharField(read_only=True, help_text="site, group:<name> or user")
    min = serializers.FloatField(read_only=True, help_text="The shortest threshold you may choose (minutes).")
    max = serializers.FloatField(read_only=True, help_text="The longest threshold you may choose (minutes).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        conf = accounts_settings()
        low, high = self.context.get("bounds") or (conf.INACTIVITY_MIN / MINUTE, conf.INACTIVITY_MAX / MINUTE)
        message = f"Must be between {low:g} and {high:g} minutes."
        self.fields["inactivity_threshold_minutes"] = serializers.FloatField(
            allow_null=True,
            min_value=low,
            max_value=high,
            error_messages={"min_value": message, "max_value": message},
            help_text="Your own threshold; null goes back to your group's or the site's.",
        )


class NumberOfField(serializers.FloatField):
    """A duration as a number of `unit`s: whole numbers without a fraction (20, not 20.0)."""

    def __init__(self, *, unit: timedelta, **kwargs):
        self.unit = unit
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        number = value / self.unit
        return int(number) if float(number).is_integer() else round(number, 4)


class ConfigSerializer(serializers.Serializer):
    """The policy in force, from the accounts settings (`accounts_settings()`) the authentication reads."""

    inactivity_threshold_minutes = NumberOfField(source="INACTIVITY_THRESHOLD", unit=MINUTE)
    max_token_lifetime_hours = NumberOfField(source="token_lifetime", unit=HOUR)
    max_token_lifetime_minutes = NumberOfField(source="token_lifetime", unit=MINUTE)
    session_max_hours = NumberOfField(source="SESSION_MAX_AGE", unit=HOUR)
    warning_seconds = NumberOfField(source="warning_window", unit=timedelta(seconds=1))
    token_check_interval_seconds = serializers.IntegerField(source="TOKEN_CHECK_INTERVAL_SECONDS")
    activity_check_interval_seconds = serializers.IntegerField(source="ACTIVITY_CHECK_INTERVAL_SECONDS")
    features = serializers.SerializerMethodField()
    server_time = serializers.SerializerMethodField()
    policy_source = serializers.SerializerMethodField(help_text="With a token: where its threshold comes from.")

    def get_policy_source(self, conf) -> str:
        return self.context.get("policy_source", "site")

    def get_features(self, conf) -> dict[str, bool]:
        return {
            "inactivity_based_expiration": conf.INACTIVITY_BASED_EXPIRATION,
            "refresh_token_rotation": True,
            "refresh_token_reuse_detection": True,
            "legacy_tokens_accepted": conf.ACCEPT_LEGACY_TOKENS,
        }

    def get_server_time(self, conf) -> datetime:
        return timezone.now()
