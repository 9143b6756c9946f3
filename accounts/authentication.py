"""The inactivity decision: SimpleJWT's authentication, rejecting tokens of idle, expired and ended sessions."""

import logging

from django.db import DatabaseError
from django.utils import timezone
from rest_framework import exceptions
from rest_framework_simplejwt.authentication import AUTH_HEADER_TYPE_BYTES, JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from activity.tracking import request_accepted

from .clock import CACHE_ERRORS, session_clock_record
from .conf import accounts_settings
from .exceptions import ServiceUnavailable
from .legacy import legacy_user_for_token
from .models import LoginSession
from .rejections import token_rejection_record
from .sessions import session_check, session_for_token
from .tokens import SESSION_CLAIM, SessionAccessToken, token_parse

logger = logging.getLogger(__name__)


class InactivityJWTAuthentication(JWTAuthentication):
    """Bearer JWTs of login sessions; a session idle past the threshold is ended and its tokens rejected.

    Costs one query, as SimpleJWT's does: the session is read together with its user; none with Redis while the
    session and user are unchanged (accounts/session_cache.py). A request it accepts on a
    tracked path is recorded as the session's activity at that moment (accounts/clock.py).
    """

    def authenticate(self, request):
        self.request = request  # DRF makes one authenticator per request; the session rules log with it
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed as exc:
            token_rejection_record(request=request, exc=exc, kind="access")
            raise
        except (DatabaseError, *CACHE_ERRORS):
            # Fail closed: a session that cannot be checked is not waved through.
            logger.exception("authentication store unavailable")
            raise ServiceUnavailable() from None

    def get_raw_token(self, header):
        if len(header) > accounts_settings().MAX_AUTHORIZATION_HEADER_BYTES:
            raise InvalidToken("Authorization header is too long")
        # The scheme is case-insensitive (RFC 7235, 2.1): "bearer" is ours as much as "Bearer".
        parts = header.split(None, 1)
        canonical = {kind.lower(): kind for kind in AUTH_HEADER_TYPE_BYTES}.get(parts[0].lower()) if parts else None
        if canonical is not None:
            header = b" ".join([canonical, *parts[1:]])
        try:
            return super().get_raw_token(header)
        except exceptions.AuthenticationFailed as exc:
            raise InvalidToken(exc.detail["detail"]) from None

    def get_validated_token(self, raw_token):
        return token_parse(SessionAccessToken, raw_token)

    def get_user(self, validated_token):
        now = timezone.now()
        if SESSION_CLAIM not in validated_token:
            user = legacy_user_for_token(validated_token, now=now)
            request_accepted(self.request, user=user, session_id=None, at=now)
            return user
        session = session_for_token(token=validated_token, now=now)
        session_check(session=session, now=now, request=self.request)
        validated_token.login_session = session  # for the views, which would otherwise read it again
        tracked = request_accepted(self.request, user=session.user, session_id=str(session.pk), at=now)
        if tracked is not None:
            session_clock_record(session=session, at=now, activity_type=tracked.activity_type.type)
        return session.user


def request_login_session(request) -> LoginSession | None:
    """Return the login session the request was accepted in: its token's, or its Django session's; or None."""
    session = getattr(request.auth, "login_session", None)
    if session is None:
        session = getattr(getattr(request, "_request", request), "login_session", None)
    return session
