"""The rules of login sessions: starting, checking (idle, expired, ended) and ending; refreshing is refresh.py.

When a session goes idle, and who records its activity, is accounts/clock.py's.
"""

import uuid
from datetime import datetime, timedelta

from django.contrib.auth.models import update_last_login
from django.http import HttpRequest
from django.utils import timezone
from rest_framework_simplejwt import settings as simplejwt  # its api_settings is rebound on override
from rest_framework_simplejwt.exceptions import InvalidToken

from activity.models import ActivityLog
from activity.recording import activity_record
from activity.request_info import request_ip
from activity.rollups import session_ends_count

from .clock import session_clock_idle_for, session_clock_start
from .exceptions import SessionEnded, TokenExpired, TokenInactive
from .legacy import legacy_tokens_cut
from .models import LoginSession
from .policies import session_policy_fields
from .prepared import session_with_user
from .session_cache import session_cache_forget, session_with_user_cached
from .tokens import SESSION_CLAIM, token_pair_for_session

EndReason = LoginSession.EndReason
SECURITY = ActivityLog.Category.SECURITY


def _rejection(exc_class, *, session: LoginSession | None = None, detail=None):
    exc = exc_class(detail)
    exc.session = session
    return exc


def session_start(
    *,
    user,
    request: HttpRequest,
    now: datetime | None = None,
    kind: str = LoginSession.Kind.TOKEN,
    recovered_from: LoginSession | None = None,
):
    """Start a login session for `user`; return (session, refresh, access), the tokens None for a Django session.

    `recovered_from`: the ended session this one goes on from (accounts/recovery.py).
    """
    now = now or timezone.now()
    session = LoginSession(
        user=user,
        kind=kind,
        recovered_from=recovered_from,
        created_at=now,
        last_activity=now,
        **session_policy_fields(user=user, now=now),  # held to the user's policy now (accounts/policies.py)
        ip=request_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:256],
    )
    refresh = access = None
    if kind == LoginSession.Kind.TOKEN:
        refresh, access = token_pair_for_session(user=user, session_id=str(session.pk), expires_at=session.expires_at)
        session.refresh_jti = refresh[simplejwt.api_settings.JTI_CLAIM]
    session.save(force_insert=True)
    session_clock_start(session=session)  # the login is the session's first activity
    if simplejwt.api_settings.UPDATE_LAST_LOGIN:
        update_last_login(None, user)
    activity_record(
        category=SECURITY,
        event="login_succeeded",
        message=f"User {user.pk} signed in" + ("" if kind == LoginSession.Kind.TOKEN else f" ({kind} session)"),
        request=request,
        user=user,
        session_id=str(session.pk),
        status_code=200,
        now=now,
    )
    return session, refresh, access


def sessions_open_count(*, user_ids, now: datetime) -> int:
    """How many sessions (of `user_ids`; None: anyone's) are open at `now`, as far as the database knows (the
    analytics' "active sessions now"; registered with activity in apps.py)."""
    sessions = LoginSession.objects.filter(ended_at__isnull=True, expires_at__gt=now, idle_at__gt=now)
    return sessions.count() if user_ids is None else sessions.filter(user_id__in=user_ids).count()


def session_for_token(*, token, now: datetime | None = None) -> LoginSession:
    """Return the login session a validated token names, with its user (one query), or raise InvalidToken.

    With `now` (the per-request check of an access token at that moment), a current snapshot kept by this process
    answers instead of the database when there is one (accounts/session_cache.py).
    """
    try:
        pk = uuid.UUID(str(token[SESSION_CLAIM]))
    except ValueError:
        raise InvalidToken("Token has a malformed session id") from None
    user_id = token.get(simplejwt.api_settings.USER_ID_CLAIM)
    session = session_with_user(pk) if now is None else session_with_user_cached(pk, user_id=user_id, now=now)
    if session is None or str(session.user_id) != str(user_id):
        raise InvalidToken("Token names an unknown session")
    if not session.user.is_active and session.ended_at is None:  # deactivating ends the sessions, unless bulk
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
    actor=None,
) -> bool:
    """End the session for good; return False if it had already ended. Writes one SECURITY row when it ends.

    `actor` is the staff member who ended someone else's session (the admin), named in the row.
    """
    now = now or timezone.now()
    ended = LoginSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(ended_at=now, end_reason=reason)
    if not ended:
        return False
    session.ended_at, session.end_reason = now, reason
    user_id = session.user_id
    session_cache_forget(user_id=user_id)
    session_ends_count(user_id=user_id, reason=reason, lengths=[now - session.created_at], at=now)  # analytics
    event, message = {
        EndReason.LOGOUT: ("logout", f"User {user_id} signed out{_by(actor)}"),
        EndReason.REVOKED: ("session_revoked", f"Session {session.pk} of user {user_id} revoked{_by(actor)}"),
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
        user=session.user if LoginSession.user.is_cached(session) else None,  # its username, when known
        user_id=user_id,
        session_id=str(session.pk),
        now=now,
    )
    return True


def _by(actor) -> str:
    return "" if actor is None else f" by staff {actor.get_username()} (user {actor.pk})"


def sessions_end_all(
    *, user, reason: str, request: HttpRequest | None = None, actor=None, now: datetime | None = None
) -> int:
    """End every open session of `user` and refuse their older legacy tokens; one SECURITY row. Return how many.

    For a sign-out everywhere (`logout`), a staff member's "End all sessions" (`revoked`, with `actor`), a password
    change or a deactivation.
    """
    now = now or timezone.now()
    ended = LoginSession.objects.filter(user=user, ended_at__isnull=True).update(ended_at=now, end_reason=reason)
    session_cache_forget(user_id=user.pk)
    legacy_tokens_cut(user_id=user.pk, at=now)
    if ended:  # the analytics count each session and its length: those this call ended, at `now`
        ended_now = LoginSession.objects.filter(user=user, ended_at=now, end_reason=reason)
        lengths = [now - created for created in ended_now.values_list("created_at", flat=True)]
        session_ends_count(user_id=user.pk, reason=reason, lengths=lengths, at=now)
    what = {
        EndReason.LOGOUT: ("logout_all", "User {} signed out everywhere"),
        EndReason.REVOKED: ("sessions_revoked", "Every session of user {} revoked"),
        EndReason.PASSWORD_CHANGED: (EndReason.PASSWORD_CHANGED, "Password of user {} changed"),
        EndReason.USER_DEACTIVATED: (EndReason.USER_DEACTIVATED, "User {} deactivated"),
    }
    event, message = what[reason]
    activity_record(
        category=SECURITY, event=event, message=f"{message.format(user.pk)}{_by(actor)}; {ended} session(s) ended",
        request=request, user=user, now=now,
    )  # fmt: skip
    return ended
