"""The rules of login sessions: starting, checking (idle, expired, ended), refreshing and ending.

When a session goes idle, and who records its activity, is accounts/clock.py's.
"""

import uuid
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import update_last_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from rest_framework_simplejwt import settings as simplejwt  # its api_settings is rebound on override
from rest_framework_simplejwt.exceptions import ExpiredTokenError, InvalidToken, TokenError

from activity.models import ActivityLog
from activity.recording import activity_record
from activity.request_info import request_ip

from .clock import session_clock_idle_for, session_clock_start
from .conf import accounts_settings
from .exceptions import SessionEnded, TokenExpired, TokenInactive
from .models import LoginSession
from .prepared import session_with_user
from .tokens import SESSION_CLAIM, TIME_CLAIM_ERRORS, SessionRefreshToken, token_pair_for_session

EndReason = LoginSession.EndReason
SECURITY = ActivityLog.Category.SECURITY


def _rejection(exc_class, *, session: LoginSession | None = None, detail=None):
    exc = exc_class(detail)
    exc.session = session
    return exc


def session_start(*, user, request: HttpRequest, now: datetime | None = None):
    """Start a login session for `user`; return (session, refresh, access)."""
    now = now or timezone.now()
    session = LoginSession(
        user=user,
        created_at=now,
        expires_at=now + accounts_settings().SESSION_MAX_AGE,
        last_activity=now,
        ip=request_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:256],
    )
    refresh, access = token_pair_for_session(user=user, session_id=str(session.pk), expires_at=session.expires_at)
    session.refresh_jti = refresh[simplejwt.api_settings.JTI_CLAIM]
    session.save(force_insert=True)
    session_clock_start(session=session)  # the login is the session's first activity
    if simplejwt.api_settings.UPDATE_LAST_LOGIN:
        update_last_login(None, user)
    activity_record(
        category=SECURITY,
        event="login_succeeded",
        message=f"User {user.pk} signed in",
        request=request,
        user=user,
        session_id=str(session.pk),
        status_code=200,
        now=now,
    )
    return session, refresh, access


def session_for_token(*, token) -> LoginSession:
    """Return the login session a validated token names, with its user (one query), or raise InvalidToken."""
    try:
        pk = uuid.UUID(str(token[SESSION_CLAIM]))
    except ValueError:
        raise InvalidToken("Token has a malformed session id") from None
    session = session_with_user(pk)
    if session is None or str(session.user_id) != str(token.get(simplejwt.api_settings.USER_ID_CLAIM)):
        raise InvalidToken("Token names an unknown session")
    if not session.user.is_active:
        raise _rejection(InvalidToken, session=session, detail="User is inactive")
    return session


def session_check(*, session: LoginSession, now: datetime, request: HttpRequest | None = None) -> None:
    """Raise if the session may not be used at `now`: ended, past its maximum age, or idle (which ends it)."""
    if session.ended_at is not None:
        raise _ended_rejection(session)
    if now >= session.expires_at:
        session_end(session=session, reason=EndReason.EXPIRED, request=request, now=now)
        raise _rejection(TokenExpired, session=session, detail="Token expired: the session reached its maximum age.")
    idle_for = session_clock_idle_for(session=session, now=now)
    if idle_for is not None:
        session_end(session=session, reason=EndReason.INACTIVE, request=request, now=now, idle_for=idle_for)
        raise _rejection(TokenInactive, session=session)


def _ended_rejection(session: LoginSession):
    if session.end_reason == EndReason.INACTIVE:
        return _rejection(TokenInactive, session=session)
    if session.end_reason == EndReason.EXPIRED:
        return _rejection(TokenExpired, session=session, detail="Token expired: the session reached its maximum age.")
    return _rejection(SessionEnded, session=session)


def session_end(
    *,
    session: LoginSession,
    reason: str,
    request: HttpRequest | None = None,
    now: datetime | None = None,
    idle_for: timedelta | None = None,
) -> bool:
    """End the session for good; return False if it had already ended. Writes one SECURITY row when it ends."""
    now = now or timezone.now()
    ended = LoginSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(ended_at=now, end_reason=reason)
    if not ended:
        return False
    session.ended_at, session.end_reason = now, reason
    user_id = session.user_id
    event, message = {
        EndReason.LOGOUT: ("logout", f"User {user_id} signed out"),
        EndReason.REVOKED: ("session_revoked", f"Session {session.pk} of user {user_id} revoked"),
        EndReason.INACTIVE: (
            "user_inactive",
            f"User {user_id} inactive for {(idle_for or timedelta(0)).total_seconds() / 60:.2f} minutes",
        ),
        EndReason.EXPIRED: ("session_expired", f"Session {session.pk} of user {user_id} reached its maximum age"),
        EndReason.REUSE: ("refresh_reuse", f"Refresh token reuse detected; session {session.pk} ended"),
    }[reason]
    activity_record(
        category=SECURITY,
        event=event,
        message=message,
        request=request,
        user_id=user_id,
        session_id=str(session.pk),
        now=now,
    )
    return True


def session_refresh(*, raw_refresh: str, request: HttpRequest, now: datetime | None = None):
    """Exchange a refresh token for a new (refresh, access) pair, under the same rules as every request.

    Refreshing is not activity. A refresh token that was already rotated away ends the whole session.
    """
    now = now or timezone.now()
    try:
        token = SessionRefreshToken(raw_refresh)
    except ExpiredTokenError:
        raise TokenExpired() from None
    except TokenError as exc:
        raise InvalidToken(exc.args[0]) from None
    except TIME_CLAIM_ERRORS:
        raise InvalidToken("Token has an invalid expiry") from None
    if SESSION_CLAIM not in token:
        return _legacy_refresh(token, request=request, now=now)
    session = session_for_token(token=token)
    session_check(session=session, now=now, request=request)
    refresh, access = token_pair_for_session(
        user=session.user, session_id=str(session.pk), expires_at=session.expires_at
    )
    # Compare-and-swap: of two uses of one refresh token, only the first rotates; the other is reuse.
    rotated = LoginSession.objects.filter(
        pk=session.pk, ended_at__isnull=True, refresh_jti=token[simplejwt.api_settings.JTI_CLAIM]
    ).update(refresh_jti=refresh[simplejwt.api_settings.JTI_CLAIM])
    if not rotated:
        session_end(session=session, reason=EndReason.REUSE, request=request, now=now)
        raise _rejection(SessionEnded, session=session, detail="Session ended: this refresh token was already used.")
    return session, refresh, access


def _legacy_refresh(token, *, request: HttpRequest, now: datetime):
    """A refresh token from before login sessions existed starts one, so an upgrade logs nobody out."""
    if not accounts_settings().ACCEPT_LEGACY_TOKENS:
        raise InvalidToken("Token has no session")
    try:
        lookup = {simplejwt.api_settings.USER_ID_FIELD: str(token[simplejwt.api_settings.USER_ID_CLAIM])}
        user = get_user_model().objects.filter(**lookup).first()
    except (KeyError, ValueError, ValidationError):
        user = None
    if user is None or not user.is_active:
        raise InvalidToken("Token names an unknown or inactive user")
    return session_start(user=user, request=request, now=now)
