"""Refreshing a login session's tokens: rotation with reuse detection, and refresh tokens from before sessions."""

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from rest_framework_simplejwt import settings as simplejwt  # its api_settings is rebound on override

from .exceptions import SessionEnded
from .legacy import LegacyRefreshReused, legacy_refresh_use, legacy_user_for_token
from .models import LoginSession
from .sessions import EndReason, _rejection, session_check, session_end, session_for_token, session_start
from .tokens import SESSION_CLAIM, SessionRefreshToken, token_pair_for_session, token_parse


def session_refresh(*, raw_refresh: str, request: HttpRequest, now: datetime | None = None):
    """Exchange a refresh token for a new (refresh, access) pair, under the same rules as every request.

    Refreshing is not activity. A refresh token that was already rotated away ends the whole session.
    """
    now = now or timezone.now()
    token = token_parse(SessionRefreshToken, raw_refresh)
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
    """A refresh token from before login sessions existed starts one, once (accounts/legacy.py)."""
    user = legacy_user_for_token(token, now=now)
    try:
        use = legacy_refresh_use(token, now=now)
    except LegacyRefreshReused as reuse:
        # Two holders of one token: end what the first use started, as rotation reuse does.
        if reuse.session is not None:
            session_end(session=reuse.session, reason=EndReason.REUSE, request=request, now=now)
        detail = "Session ended: this refresh token was already used."
        exc = _rejection(SessionEnded, session=reuse.session, detail=detail)
        exc.user_id = user.pk
        raise exc from None
    session, refresh, access = session_start(user=user, request=request, now=now)
    use.session = session
    use.save(update_fields=["session"])
    return session, refresh, access
