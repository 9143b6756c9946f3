"""Writing the rollups that the analytics read (the model: ActivityRollup; the reads: analytics.py).

Counts of log rows (`event` per hour; `path`, `type`, `user` per day) are added by a database trigger as the rows
are inserted (migration 0003): nothing to call, no query on any request. Session endings are not log rows one to
one (ending every session of a user writes one row), and their lengths are known only to the session owner, so
`accounts` reports them here with `session_ends_count`: activity never imports accounts.

Pruning keeps both in step: raw rows are pruned on UTC day boundaries (retention.py), and so are rollup buckets, so
the rollups always equal a count over the raw rows that are left.
"""

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.db import DatabaseError, connection

from .failures import logging_failure_report
from .models import ActivityRollup

logger = logging.getLogger(__name__)

EVERYONE = 0  # the user_id of the rollups that count everyone's rows
SESSION_END, SESSION_MINUTES = "session_end", "session_minutes"


def hour_floor(moment: datetime) -> datetime:
    """The start of the hour `moment` falls in: its bucket in the hourly dimensions."""
    return moment.replace(minute=0, second=0, microsecond=0)


def day_floor(moment: datetime) -> datetime:
    """The start of the UTC day `moment` falls in: its bucket in the daily dimensions."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def session_ends_count(*, user_id: int, reason: str, lengths: Iterable[timedelta], at: datetime) -> None:
    """Count sessions of `user_id` that ended at `at` for `reason`, and how long each lasted (whole minutes)."""
    lengths = list(lengths)
    if not lengths:
        return
    counts: Counter[tuple[str, str]] = Counter({(SESSION_END, reason): len(lengths)})
    counts.update((SESSION_MINUTES, str(max(0, int(length.total_seconds() // 60)))) for length in lengths)
    try:
        rollups_add(bucket=hour_floor(at), user_id=user_id, counts=counts)
    except DatabaseError as exc:  # a count lost is not worth failing the sign-out that ended the session
        logging_failure_report(
            kind="rollup", log=logger, message=f"Could not count {len(lengths)} ended session(s): {type(exc).__name__}"
        )


def rollups_add(*, bucket: datetime, user_id: int | None, counts: Counter) -> None:
    """Add `counts` ({(dimension, key): n}) to `bucket`, for everyone and for `user_id`: one upsert."""
    ops = connection.ops
    start = ops.adapt_datetimefield_value(bucket)
    owners = [EVERYONE] + ([user_id] if user_id else [])
    values = [(start, owner, dimension, key, n) for owner in owners for (dimension, key), n in counts.items()]
    table = ops.quote_name(ActivityRollup._meta.db_table)
    count = ops.quote_name("count")
    sql = (
        f"INSERT INTO {table} (bucket, user_id, dimension, {ops.quote_name('key')}, {count}) "  # noqa: S608 (names)
        f"VALUES {', '.join(['(%s, %s, %s, %s, %s)'] * len(values))} "
        f"ON CONFLICT (user_id, dimension, bucket, {ops.quote_name('key')}) "
        f"DO UPDATE SET {count} = {table}.{count} + EXCLUDED.{count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [field for row in sorted(values) for field in row])


def rollups_prune(*, before: datetime) -> int:
    """Delete the buckets that start before `before` (a day boundary); return how many."""
    deleted, _ = ActivityRollup.objects.filter(bucket__lt=before).delete()
    return deleted
