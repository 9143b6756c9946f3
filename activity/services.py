"""Writing the activity log: request and security rows, the log file, and retention."""

import ipaddress
import logging
import threading
import time
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode

from django.core.cache import cache
from django.db import close_old_connections, connections
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from .buffer import audit_buffer
from .clock import activity_clock_touch
from .conf import activity_settings
from .models import ActivityLog
from .tracking import request_session_id

logger = logging.getLogger(__name__)

Category = ActivityLog.Category
REDACTED = "[redacted]"


def request_ip(request: HttpRequest) -> str | None:
    """Return the client's IP, honouring DRF's NUM_PROXIES like the throttles do, or None if it is not one."""
    ident = BaseThrottle().get_ident(request) or ""
    try:
        return str(ipaddress.ip_address(ident.strip()))
    except ValueError:
        return None


def request_path(request: HttpRequest) -> str:
    """Return the path with its query string, sensitive parameters redacted, truncated to fit a row."""
    conf = activity_settings()
    path = request.path
    query = request.META.get("QUERY_STRING", "")
    if query:
        sensitive = set(conf.SENSITIVE_QUERY_PARAMS)
        pairs = [(k, REDACTED if k.lower() in sensitive else v) for k, v in parse_qsl(query, keep_blank_values=True)]
        path = f"{path}?{urlencode(pairs, safe='[]')}"
    return path[: conf.PATH_MAX_LENGTH]


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
    """Write one log row and the same line to the log file. Never raises: a failure becomes an ERROR row.

    Only what identifies the request is kept: never a body, a token, a cookie or an Authorization header.
    """
    now = now or timezone.now()
    try:
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
            row.method = request.method[:10]
            row.path = request_path(request)
            row.ip = request_ip(request)
            row.user_agent = request.META.get("HTTP_USER_AGENT", "")[: activity_settings().USER_AGENT_MAX_LENGTH]
        level = logging.ERROR if category == Category.ERROR else logging.INFO
        logger.log(
            level, "%s %s %s user=%s session=%s ip=%s status=%s",
            category, event, message, row.user_id, session_id, row.ip, status_code,
        )  # fmt: skip
        if category == Category.AUDIT:
            audit_buffer.add(row)  # one per tracked request: batched, see buffer.py
        else:
            row.save(force_insert=True)
        return row
    except Exception as exc:
        logger.exception("could not write the activity row %s/%s", category, event)
        if category != Category.ERROR:  # one level only: if the database is down, this fails too (and is logged)
            activity_record(
                category=Category.ERROR, event="log_write_failed", now=now,
                message=f"Could not write the {category} row ({event}): {type(exc).__name__}",
            )  # fmt: skip
        return None


def activity_record_request(*, request: HttpRequest, status_code: int, duration_ms: float, now=None) -> None:
    """Record one tracked request: reset its session's clock and write its AUDIT row."""
    now = now or timezone.now()
    session_id = request_session_id(request)
    try:
        if session_id is not None:
            activity_clock_touch(session_id=session_id, at=now)
    except Exception:
        logger.exception("could not reset the activity clock")
        activity_record(
            category=Category.ERROR,
            event="clock_failed",
            message="Could not record activity for the session",
            request=request,
            user=request.user,
            session_id=session_id,
            now=now,
        )
    activity_record(
        category=Category.AUDIT,
        event="api_request",
        message=f"API request: {request.method} {request.path}",
        request=request,
        user=request.user,
        session_id=session_id,
        status_code=status_code,
        duration_ms=round(duration_ms, 2),
        now=now,
    )


def activity_log_prune(*, older_than: timedelta | None = None, now=None, batch_size: int | None = None) -> int:
    """Delete rows older than `older_than` (default: the retention period) in short batches; return how many.

    Each batch is its own short statement, and a short pause follows it: SQLite's busy handler is not fair, so a
    pruner that took the write lock straight back would starve the requests waiting for it.
    """
    conf = activity_settings()
    older_than = timedelta(days=conf.RETENTION_DAYS) if older_than is None else older_than
    cutoff = (now or timezone.now()) - older_than
    batch_size = batch_size or conf.PRUNE_BATCH_SIZE
    old = ActivityLog.objects.filter(timestamp__lt=cutoff).order_by()
    total = 0
    while ids := list(old.values_list("pk", flat=True)[:batch_size]):
        deleted, _ = ActivityLog.objects.filter(pk__in=ids).delete()
        total += deleted
        time.sleep(conf.PRUNE_PAUSE_SECONDS)
    return total


_next_prune_check = 0.0


def activity_log_prune_if_due() -> bool:
    """Start a background prune if none ran in the last PRUNE_INTERVAL_SECONDS (across processes); return if so.

    Triggered by traffic so that nobody has to remember a cron job. Costs nothing between checks.
    """
    global _next_prune_check
    interval = activity_settings().PRUNE_INTERVAL_SECONDS
    if not interval or time.monotonic() < _next_prune_check:
        return False
    _next_prune_check = time.monotonic() + interval
    try:
        if not cache.add("activity:prune-lease", 1, timeout=interval):
            return False
    except Exception:
        logger.warning("cache unavailable; skipping automatic pruning this time", exc_info=True)
        return False
    threading.Thread(target=_prune_in_background, name="activity-prune", daemon=True).start()
    return True


def _prune_in_background() -> None:
    close_old_connections()
    try:
        deleted = activity_log_prune()
        logger.info("pruned %d activity rows older than the retention period", deleted)
    except Exception:
        logger.exception("automatic pruning of the activity log failed")
    finally:
        connections.close_all()
