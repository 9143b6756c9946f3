"""Writing the activity log: one row per tracked request (AUDIT) or event (SECURITY, ERROR), and the log file."""

import logging

from django.db import DatabaseError
from django.http import HttpRequest
from django.utils import timezone

from .buffer import audit_buffer
from .conf import activity_settings
from .models import ActivityLog
from .request_info import request_ip, request_path
from .tracking import TrackedRequest

logger = logging.getLogger(__name__)

Category = ActivityLog.Category


def activity_record(
    *,
    category: str,
    event: str,
    message: str,
    request: HttpRequest | None = None,
    user=None,
    user_id=None,
    session_id: str | None = None,
    status_code: int | None = None,
    duration_ms: float | None = None,
    now=None,
) -> ActivityLog | None:
    """Write one log row and the same line to the log file. A database failure becomes an ERROR row, not a raise.

    Only what identifies the request is kept: never a body, a token, a cookie or an Authorization header.
    """
    now = now or timezone.now()
    row = ActivityLog(
        timestamp=now,
        category=category,
        event=event,
        message=message[:500],
        user_id=user.pk if user is not None else user_id,
        username=user.get_username() if user is not None else "",
        session_id=session_id,
        status_code=status_code,
        duration_ms=duration_ms,
    )
    if request is not None:
        row.method = (request.method or "")[:10]
        row.path = request_path(request)
        row.ip = request_ip(request)
        row.user_agent = request.META.get("HTTP_USER_AGENT", "")[: activity_settings().USER_AGENT_MAX_LENGTH]
    level = logging.ERROR if category == Category.ERROR else logging.INFO
    logger.log(
        level, "%s %s %s user=%s session=%s ip=%s status=%s",
        category, event, message, row.user_id, session_id, row.ip, status_code,
    )  # fmt: skip
    if category == Category.AUDIT:
        audit_buffer.add(row)  # one per tracked request: batched, and a failed batch is kept; see buffer.py
        return row
    try:
        row.save(force_insert=True)
    except DatabaseError as exc:
        logger.exception("could not write the activity row %s/%s", category, event)
        if category != Category.ERROR:  # one level only: if the database is down, this fails too (and is logged)
            activity_record(
                category=Category.ERROR, event="log_write_failed", now=now,
                message=f"Could not write the {category} row ({event}): {type(exc).__name__}",
            )  # fmt: skip
        return None
    return row


def activity_record_request(
    *, request: HttpRequest, tracked: TrackedRequest, status_code: int, duration_ms: float
) -> None:
    """Write the AUDIT row of a tracked request."""
    admin = request.path.startswith("/admin/")
    message = f"{'Admin' if admin else 'API'} request: {request.method} {request.path}"
    if tracked.kind != "token":
        message += f" ({tracked.kind} session)"
    activity_record(
        category=Category.AUDIT,
        event="admin_request" if admin else "api_request",
        message=message,
        request=request,
        user=tracked.user,
        session_id=tracked.session_id,
        status_code=status_code,
        duration_ms=round(duration_ms, 2),
        now=tracked.accepted_at,
    )
