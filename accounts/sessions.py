"""The rules of login sessions: starting, checking (idle, expired, ended), refreshing, touching and ending."""

import uuid
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import update_last_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from rest_framework_simplejwt import settings as simplejwt  # its api_settings is rebound on override
from rest_framework_simplejwt.exceptions import ExpiredTokenError, InvalidToken, TokenError

from activity.clock import activity_clock_read, activity_clock_resolution, activity_clock_touch, clock_is_shared
from activity.models import ActivityLog
from activity.services import activity_record, request_ip

from .conf import accounts_settings
from .exceptions import SessionEnded, TokenExpired, TokenInactive
from .models import LoginSession
from .tokens import SESSION_CLAIM, SessionRefreshToken, token_pair_for_session

EndReason = LoginSession.EndReason
SECURITY = ActivityLog.Category.SECURITY

# When this process last wrote each session's mirror (timestamps). Per-process on purpose: it only spares
# writes, and each process keeping its own interval is what bounds the mirror's lag behind the clock.
_mirrored: dict[str, float] = {}


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
    _mirrored[str(session.pk)] = now.timestamp()
    activity_clock_touch(session_id=str(session.pk), at=now)  # the login starts the inactivity clock
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
    session = LoginSession.objects.get_with_user(pk)
    if session is None or str(session.user_id) != str(token.get(simplejwt.api_settings.USER_ID_CLAIM)):
        raise InvalidToken("Token names an unknown session")
    if not session.user.is_active:
        raise _rejection(InvalidToken, session=session, detail="User is inactive")
    return session


def write_interval() -> timedelta:
    """Return how often, at most, a session's last activity is written to the database (its mirror).

    Without a shared clock the database is the only truth every process sees, so it takes every activity the clock
    records (at most once per clock resolution); with Redis it is a fallback, written at most once a minute.
    """
    conf = accounts_settings()
    if conf.WRITE_INTERVAL is not None:
        return conf.WRITE_INTERVAL
    if not clock_is_shared():
        return timedelta(0)
    return min(timedelta(seconds=60), conf.INACTIVITY_THRESHOLD / 20)


def session_clock(*, session: LoginSession) -> tuple[datetime, datetime]:
    """Return the session's last activity and the moment after which it is idle, unless activity comes first.

    What is known may lag the truth: the clock by its resolution, the database mirror by its write interval on top
    when the shared clock cannot vouch. The lag is added to the deadline, so nobody is ever signed out early.
    """
    threshold = accounts_settings().INACTIVITY_THRESHOLD + activity_clock_resolution()
    clock = activity_clock_read(session_id=str(session.pk))
    if clock is None:
        last, idle_at = session.last_activity, session.last_activity + threshold + write_interval()
    else:
        last = max(clock, session.last_activity)
        idle_at = last + threshold
    return last, min(idle_at, session.expires_at)  # it ends then anyway


def session_extend(*, session: LoginSession, now: datetime) -> tuple[datetime, datetime]:
    """Reset the session's inactivity clock to `now` ("stay signed in"); return its new `session_clock`."""
    activity_clock_touch(session_id=str(session.pk), at=now, force=True)
    session.last_activity = max(session.last_activity, now)  # as the mirror has it now, or the clock vouches
    return session_clock(session=session)


def session_check(*, session: LoginSession, now: datetime, request: HttpRequest | None = None) -> None:
    """Raise if the session may not be used at `now`: ended, past its maximum age, or idle (which ends it)."""
    if session.ended_at is not None:
        raise _ended_rejection(session)
    if now >= session.expires_at:
        session_end(session=session, reason=EndReason.EXPIRED, request=request, now=now)
        raise _rejection(TokenExpired, session=session, detail="Token expired: the session reached its maximum age.")
    # The common case costs nothing more: the mirror never runs ahead of the clock, so a recent mirror is enough.
    if now - session.last_activity <= accounts_settings().INACTIVITY_THRESHOLD:
        return
    last, idle_at = session_clock(session=session)
    if now > idle_at:
        session_end(session=session, reason=EndReason.INACTIVE, request=request, now=now, idle_for=now - last)
        raise _rejection(TokenInactive, session=session)


def _ended_rejection(session: LoginSession):
    if session.end_reason == EndReason.INACTIVE:
        return _rejection(TokenInactive, session=session)
    if session.end_reason == EndReason.EXPIRED:
        return _rejection(TokenExpired, session=session, detail="Token expired: the session reached its maximum age.")
    return _rejection(SessionEnded, session=session)


def session_touch(*, session_id: str, at: datetime, force: bool = False) -> None:
    """Write the session's last activity to the database, at most once per write interval unless forced."""
    interval = write_interval().total_seconds()
    written = _mirrored.get(session_id)
    if not force and written is not None and at.timestamp() - written < interval:
        return
    _mirrored[session_id] = at.timestamp()
    if len(_mirrored) > 10_000:
        stale = at.timestamp() - interval
        for key in [k for k, v in _mirrored.items() if v < stale]:
            _mirrored.pop(key, None)
    LoginSession.objects.mirror_activity(session_id, at)


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
