"""The inactivity decision: SimpleJWT's authentication, rejecting tokens of idle, expired and ended sessions."""

import logging

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils import timezone
from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import ExpiredTokenError, InvalidToken, TokenError

from activity.models import ActivityLog
from activity.recording import activity_record
from activity.tracking import request_accepted

from .clock import CACHE_ERRORS, session_clock_record
from .conf import accounts_settings
from .exceptions import ServiceUnavailable, TokenExpired
from .sessions import session_check, session_for_token
from .tokens import SESSION_CLAIM, TIME_CLAIM_ERRORS, SessionAccessToken

logger = logging.getLogger(__name__)

SECURITY_EVENTS = {
    "token_inactive": "Token rejected due to user inactivity",
    "session_ended": "Token rejected: its session has ended",
    "token_not_valid": "Invalid token rejected",
}


class InactivityJWTAuthentication(JWTAuthentication):
    """Bearer JWTs of login sessions; a session idle past the threshold is ended and its tokens rejected.

    Costs one query, as SimpleJWT's does: the session is read together with its user. A request it accepts on a
    tracked path is recorded as the session's activity at that moment (accounts/clock.py).
    """

    def authenticate(self, request):
        self.request = request  # DRF makes one authenticator per request; the session rules log with it
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed as exc:
            self.record_rejection(request, exc)
            raise
        except (DatabaseError, *CACHE_ERRORS):
            # Fail closed: a session that cannot be checked is not waved through.
            logger.exception("authentication store unavailable")
            raise ServiceUnavailable() from None

    def get_raw_token(self, header):
        if len(header) > accounts_settings().MAX_AUTHORIZATION_HEADER_BYTES:
            raise InvalidToken("Authorization header is too long")
        try:
            return super().get_raw_token(header)
        except exceptions.AuthenticationFailed as exc:
            raise InvalidToken(exc.detail["detail"]) from None

    def get_validated_token(self, raw_token):
        try:
            return SessionAccessToken(raw_token)
        except ExpiredTokenError:
            raise TokenExpired() from None
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from None
        except TIME_CLAIM_ERRORS:
            raise InvalidToken("Token has an invalid expiry") from None

    def get_user(self, validated_token):
        now = timezone.now()
        if SESSION_CLAIM not in validated_token:
            user = self.get_legacy_user(validated_token)
            request_accepted(self.request, user=user, session_id=None, at=now)
            return user
        session = session_for_token(token=validated_token)
        session_check(session=session, now=now, request=self.request)
        validated_token.login_session = session  # for the views, which would otherwise read it again
        if request_accepted(self.request, user=session.user, session_id=str(session.pk), at=now):
            session_clock_record(session_id=str(session.pk), at=now)
        return session.user

    def get_legacy_user(self, validated_token):
        """A token from before login sessions existed: accepted until its own `exp` if so configured."""
        if not accounts_settings().ACCEPT_LEGACY_TOKENS:
            raise InvalidToken("Token has no session")
        try:
            return super().get_user(validated_token)
        except exceptions.AuthenticationFailed as exc:
            raise InvalidToken(exc.detail["detail"]) from None
        except (ValueError, TypeError, ValidationError):
            raise InvalidToken("Token contained no recognizable user identification") from None

    def record_rejection(self, request, exc):
        code = exc.detail.get("code") if isinstance(exc.detail, dict) else None
        message = SECURITY_EVENTS.get(code)
        if message is None:  # expiry is the normal end of an access token, not a security event
            return
        session = getattr(exc, "session", None)
        activity_record(
            category=ActivityLog.Category.SECURITY,
            event=code,
            message=f"{message}: {exc.detail['detail']}" if code == "token_not_valid" else message,
            request=request,
            user_id=session.user_id if session else None,
            session_id=str(session.pk) if session else None,
            status_code=exc.status_code,
        )
