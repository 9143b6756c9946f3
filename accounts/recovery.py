"""Session recovery: a session ended by inactivity or its maximum (or whose maximum is near: within its warning lead
time) goes on as a new one, for the password again.

What recovers a session is its *last* refresh token (the one its `refresh_jti` names) together with the password
of its user, within SESSION_RECOVERY after its end; a session id alone, an older rotated token, or a session
ended any other way (signed out, revoked, refresh-token reuse, password change) recovers nothing. Each session
is recovered at most once: the recovery uses its last token up.
"""

from datetime import datetime, timedelta

import jwt
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt import settings as simplejwt  # its api_settings is rebound on override
from rest_framework_simplejwt.exceptions import InvalidToken, TokenBackendError, TokenError

from activity.models import ActivityLog
from activity.recording import activity_record

from .conf import accounts_settings
from .exceptions import SessionEnded, TokenExpired, TokenInactive
from .models import LoginSession
from .policies import session_warning_seconds
from .sessions import EndReason, session_check, session_end, session_for_token, session_start
from .throttling import login_attempt_reserve, login_failure_record
from .tokens import SESSION_CLAIM, TIME_CLAIM_ERRORS, SessionRefreshToken

RECOVERABLE = (EndReason.INACTIVE, EndReason.EXPIRED)
NOT_RECOVERABLE = "This session cannot be recovered. Sign in again."


class _ExpiryBlindBackend:
    """SimpleJWT's token backend, checking signature, audience and issuer but not `exp`: a session ended by its
    maximum has tokens capped at that end, so its last refresh token has always expired when it is recovered."""

    def decode(self, token, verify=True):
        backend = import_string("rest_framework_simplejwt.state.token_backend")
        try:
            return jwt.decode(
                token,
                backend.get_verifying_key(token),
                algorithms=[backend.algorithm],
                audience=backend.audience,
                issuer=backend.issuer,
                options={"verify_aud": backend.audience is not None, "verify_exp": False},
            )
        except jwt.InvalidTokenError as exc:
            raise TokenBackendError("Token is invalid") from exc


class EndedSessionRefreshToken(SessionRefreshToken):
    """A session's refresh token read for recovery only: its type, jti and signature checked, its `exp` not."""

    token_backend = _ExpiryBlindBackend()

    def check_exp(self, *args, **kwargs):
        pass  # the recovery window decides instead


def session_recover(*, raw_refresh: str | None, password: str, request: HttpRequest, now: datetime | None = None):
    """Start a new session linked to the ended one `raw_refresh` names; return (session, refresh, access).

    Raises SessionEnded (401 `session_ended`) unless the session is recoverable, AuthenticationFailed
    (`no_active_account`, counted by the login throttles) for a wrong password, Throttled (429) past them.
    """
    now = now or timezone.now()
    old, jti, live = _recoverable_session(raw_refresh, request=request, now=now)
    user = old.user
    username = user.get_username()  # the session's user's, never one the request names
    attempt = login_attempt_reserve(request=request, username=username)
    try:
        if authenticate(request, username=username, password=password) != user:
            login_failure_record(request=request, username=username, attempt=attempt, what="session recovery")
            raise AuthenticationFailed("No active account found with the given credentials", code="no_active_account")
    finally:
        attempt.release()
    with transaction.atomic():
        # Use the last token up, compare-and-swap: of two recoveries of one session, only the first goes on.
        claimed = LoginSession.objects.filter(pk=old.pk, refresh_jti=jti).update(refresh_jti="")
        if not claimed:
            raise SessionEnded(NOT_RECOVERABLE)
        if live:  # near its maximum: it ends now, as it was about to, and the user goes on in the new one
            session_end(session=old, reason=EndReason.EXPIRED, request=request, now=now)
        session, refresh, access = session_start(user=user, request=request, now=now, recovered_from=old)
    activity_record(
        category=ActivityLog.Category.SECURITY,
        event="session_recovered",
        message=f"Session {old.pk} of user {user.pk} recovered as {session.pk}",
        request=request,
        user=user,
        session_id=str(session.pk),
        status_code=200,
        now=now,
    )
    return session, refresh, access


def _recoverable_session(raw_refresh: str | None, *, request: HttpRequest, now: datetime):
    """Return (session, jti, live) if `raw_refresh` is the last refresh token of a recoverable session; else raise.

    `live`: the session has not ended but its maximum is within its warning lead time (the UI offers to go on then).
    """
    if not raw_refresh:
        raise SessionEnded(NOT_RECOVERABLE)
    try:
        token = EndedSessionRefreshToken(raw_refresh)
        if SESSION_CLAIM not in token:
            raise SessionEnded(NOT_RECOVERABLE)  # a token from before sessions: nothing to recover
        session = session_for_token(token=token)
    except (TokenError, InvalidToken, *TIME_CLAIM_ERRORS):
        raise SessionEnded(NOT_RECOVERABLE) from None
    jti = token[simplejwt.api_settings.JTI_CLAIM]
    if not jti or jti != session.refresh_jti:
        raise SessionEnded(NOT_RECOVERABLE)  # an older rotated token, or one already used for a recovery
    if session.ended_at is None:
        try:  # idle or past its maximum, it ends now, by the same rules as every request
            session_check(session=session, now=now, request=request)
        except (TokenInactive, TokenExpired):
            pass
        else:
            if session.expires_at - now > timedelta(seconds=session_warning_seconds(session)):
                raise SessionEnded("This session is still active.")
            return session, jti, True
    if session.end_reason not in RECOVERABLE or now - _ended_at(session) > accounts_settings().SESSION_RECOVERY:
        raise SessionEnded(NOT_RECOVERABLE)
    return session, jti, False


def _ended_at(session: LoginSession) -> datetime:
    """When the session really ended: an idle or outlived session is only marked ended by its next request, maybe
    hours later. The stored idle moment may be a little early (accounts/clock.py), which only shortens the window."""
    end = session.idle_at if session.end_reason == EndReason.INACTIVE else session.expires_at
    return min(session.ended_at, end)
