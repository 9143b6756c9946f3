"""What a rejected token leaves behind: a SECURITY row for a suspicious one, a count for an expired one.

Access tokens (the authentication) and refresh tokens (the refresh endpoint) are treated alike. An expired token
is the normal end of a token, not an attack: it writes no row, but is counted per day in the cache (shared through
Redis when configured; per process otherwise), readable with `token_expired_count`.
"""

import logging
from datetime import date

from django.core.cache import cache
from django.utils import timezone

from activity.models import ActivityLog
from activity.recording import activity_record

from .clock import CACHE_ERRORS
from .models import LoginSession

logger = logging.getLogger(__name__)

SECURITY_EVENTS = {
    "token_inactive": "Token rejected due to user inactivity",
    "session_ended": "Token rejected: its session has ended",
    "token_not_valid": "Invalid token rejected",
}
COUNT_DAYS = 8  # how long a day's count is kept


def _count_key(kind: str, day: date) -> str:
    return f"accounts:token_expired:{kind}:{day.isoformat()}"


def token_expired_count(*, kind: str, day: date | None = None) -> int:
    """Return how many expired `kind` ("access" or "refresh") tokens were refused on `day` (default today, UTC)."""
    try:
        return cache.get(_count_key(kind, day or timezone.now().date()), 0)
    except CACHE_ERRORS:
        logger.warning("rejection counts unavailable", exc_info=True)
        return 0


def _count_expired(kind: str) -> None:
    key, timeout = _count_key(kind, timezone.now().date()), COUNT_DAYS * 24 * 3600
    try:
        cache.add(key, 0, timeout=timeout)
        if cache.incr(key) == 1:  # the day's first, or one made again by INCR (expired after EXISTS): no timeout
            cache.touch(key, timeout)
    except ValueError:  # the key expired between add and incr: lose one count rather than fail the answer
        pass
    except CACHE_ERRORS:
        logger.warning("could not count an expired token", exc_info=True)


def token_rejection_record(*, request, exc, kind: str) -> None:
    """Leave the trace of a rejected `kind` token: a SECURITY row, a count (expired), or nothing."""
    code = exc.detail.get("code") if isinstance(exc.detail, dict) else getattr(exc, "default_code", None)
    if code == "token_expired":
        _count_expired(kind)
        return
    message = SECURITY_EVENTS.get(code)
    if message is None:
        return
    session = getattr(exc, "session", None)
    activity_record(
        category=ActivityLog.Category.SECURITY,
        event=code,
        message=f"{message}: {exc.detail['detail']}" if code == "token_not_valid" else message,
        request=request,
        user=session.user if session is not None and LoginSession.user.is_cached(session) else None,  # username
        user_id=session.user_id if session else getattr(exc, "user_id", None),
        session_id=str(session.pk) if session else None,
        status_code=exc.status_code,
    )
