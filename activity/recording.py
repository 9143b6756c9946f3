"""Writing the activity log: one row per tracked request (AUDIT) or event (SECURITY, ERROR), and the log file."""

import logging

from django.db import DatabaseError
from django.http import HttpRequest
from django.utils import timezone

from .buffer import AuditRow, audit_buffer
from .conf import activity_settings
from .failures import logging_failure_report
from .models import ActivityLog
from .request_info import request_ip, request_path
from .scrub import text_scrub
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
    activity_type: str = "",
    now=None,
) -> ActivityLog | AuditRow | None:
    """Write one log row and the same line to the log file. A database failure becomes an ERROR row, not a raise.

    Only what identifies the request is kept: never a body, a token, a cookie or an Authorization header. Every
    text is scrubbed (activity/scrub.py) before the row is saved or queued: storable by any backend (no NUL), one
    line in the log file (no CR, LF or ESC), no token-shaped value.
    """
    now = now or timezone.now()
    values = {
        "timestamp": now,
        "category": str(category),  # a plain str in the queue, whatever the caller passed (an enum member)
        "event": text_scrub(event, limit=40),
        "message": text_scrub(message, limit=500),
        "user_id": user.pk if user is not None else user_id,
        "username": text_scrub(user.get_username(), limit=150) if user is not None else "",
        "session_id": session_id,
        "status_code": status_code,
        "duration_ms": duration_ms,
        "activity_type": activity_type,
    }
    if request is not None:
        values["method"] = text_scrub(request.method or "", limit=10)
        values["path"] = request_path(request)
        values["ip"] = request_ip(request)
        values["user_agent"] = text_scrub(
            request.META.get("HTTP_USER_AGENT", ""), limit=activity_settings().USER_AGENT_MAX_LENGTH
        )
    # An AUDIT row is queued as plain values (buffer.AuditRow), written by the flusher; the others are saved now.
    row = (AuditRow if category == Category.AUDIT else ActivityLog)(**values)
    level = logging.ERROR if category == Category.ERROR else logging.INFO
    if logger.isEnabledFor(level):  # logger.log, but for the caller's file and line, which no line of ours shows
        logger.handle(logger.makeRecord(
            logger.name, level, "", 0, "%s %s %s user=%s session=%s ip=%s status=%s",
            (category, row.event, row.message, row.user_id, session_id, row.ip, status_code), None,
        ))  # fmt: skip
    if category == Category.AUDIT:
        audit_buffer.add(row)  # one per tracked request: batched, and a failed batch is kept; see buffer.py
        return row
    try:
        row.save(force_insert=True)
    except DatabaseError as exc:  # reported at a bounded rate: a client may cause this at will (failed logins)
        logging_failure_report(
            kind=f"{category}_row", log=logger,
            message=f"Could not write the {category} row ({row.event}): {type(exc).__name__}",
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
        activity_type=tracked.activity_type.type if tracked.activity_type else "",
        now=tracked.accepted_at,
    )
