"""Retention: rows older than the retention period are deleted, by command and automatically.

Other apps' rows that live as long as the log (accounts' ended login sessions) are pruned with it: they register a
pruner here, since activity never imports them.
"""

import logging
import threading
import time
from datetime import timedelta

from django.core.cache import cache
from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone
from redis.exceptions import RedisError

from .conf import activity_settings
from .models import ActivityLog
from .progress import Progress
from .rollups import day_floor, rollups_prune

logger = logging.getLogger(__name__)

_next_prune_check = 0.0  # when this process next asks whether a prune is due (time.monotonic())
_pruners: dict[str, object] = {}  # what they prune (their rows' name) -> pruner; filled by apps' ready()


def reset() -> None:
    """Forget when this process last checked (tests)."""
    global _next_prune_check
    _next_prune_check = 0.0


def retention_pruner_register(what: str, pruner) -> None:
    """Have `pruner(*, cutoff, now, batch_size, progress) -> int` delete `what` (rows) that ended before `cutoff`
    with every prune of the log, and return how many."""
    _pruners[what] = pruner


def retention_prune(*, older_than: timedelta | None = None, now=None, progress: Progress | None = None) -> dict:
    """Prune the log, then every registered pruner's rows, with one cutoff; return how many of each, by name."""
    now = now or timezone.now()
    conf = activity_settings()
    older_than = timedelta(days=conf.RETENTION_DAYS) if older_than is None else older_than
    deleted = {"activity log rows": activity_log_prune(older_than=older_than, now=now, progress=progress)}
    for what, pruner in _pruners.items():
        deleted[what] = pruner(
            cutoff=day_floor(now - older_than), now=now, batch_size=conf.PRUNE_BATCH_SIZE, progress=progress
        )
    return deleted


def activity_log_prune(
    *, older_than: timedelta | None = None, now=None, batch_size: int | None = None, progress: Progress | None = None
) -> int:
    """Delete rows older than `older_than` (default: the retention period) in short batches; return how many.

    The cutoff is rounded down to midnight UTC, and the rollup buckets before it go too: the rollups keep counting
    exactly the rows that are left (a row lives between the retention period and one day more).

    Each batch is its own short statement, and a short pause follows it: SQLite's busy handler is not fair, so a
    pruner that took the write lock straight back would starve the requests waiting for it.
    """
    conf = activity_settings()
    older_than = timedelta(days=conf.RETENTION_DAYS) if older_than is None else older_than
    cutoff = day_floor((now or timezone.now()) - older_than)
    batch_size = batch_size or conf.PRUNE_BATCH_SIZE
    total = batches_delete(
        ActivityLog.objects.filter(timestamp__lt=cutoff), what="activity log rows", batch_size=batch_size,
        progress=progress,
    )  # fmt: skip
    rollups_prune(before=cutoff)
    return total


def batches_delete(rows, *, what: str, batch_size: int, progress: Progress | None = None) -> int:
    """Delete the queryset `rows` in batches of `batch_size`, each its own short statement followed by a pause (see
    `activity_log_prune`), reporting `what` to `progress`; return how many of its model's rows went."""
    old, label = rows.order_by(), rows.model._meta.label
    if progress is not None and progress.shown:  # the count is paid only when someone watches
        progress.begin(what, total=old.count())
    total = 0
    while ids := list(old.values_list("pk", flat=True)[:batch_size]):
        deleted = rows.model.objects.filter(pk__in=ids).delete()[1].get(label, 0)
        total += deleted
        if progress is not None:
            progress.add(deleted)
        time.sleep(activity_settings().PRUNE_PAUSE_SECONDS)
    if progress is not None:
        progress.end()
    return total


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
    except (RedisError, OSError):
        logger.warning("cache unavailable; skipping automatic pruning this time", exc_info=True)
        return False
    threading.Thread(target=_prune_in_background, name="activity-prune", daemon=True).start()
    return True


def _prune_in_background() -> None:
    close_old_connections()
    try:
        deleted = retention_prune()
        counts = ", ".join(f"{n} {what}" for what, n in deleted.items())
        logger.info("pruned older than the retention period: %s", counts)
    except DatabaseError:
        logger.exception("automatic pruning of the activity log failed")
    finally:
        connections.close_all()
