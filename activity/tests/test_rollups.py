"""Rollups: kept by the database as rows are written, pruned with them, always equal to a count of the raw rows."""

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from activity.buffer import audit_buffer
from activity.models import ActivityLog, ActivityRollup
from activity.recording import activity_record
from activity.retention import activity_log_prune
from activity.rollups import EVERYONE, day_floor, hour_floor, session_ends_count

pytestmark = pytest.mark.django_db(transaction=True)

START = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
PATHS = ["/api/auth/me", "/api/graphs/1", "/admin/", "/api/auth/sessions"]
EVENTS = [("SECURITY", "login_succeeded"), ("SECURITY", "login_failed"), ("SECURITY", "user_inactive"), ("ERROR", "x")]


def raw_counts() -> Counter:
    """What the rollups should hold, counted straight from the log rows."""
    counts: Counter = Counter()
    for row in ActivityLog.objects.all():
        hour, day = hour_floor(row.timestamp), day_floor(row.timestamp)
        keys = [(hour, "event", f"{row.category}:{row.event}")]
        if row.category == "AUDIT":
            keys += [(day, "path", row.path), (day, "type", row.activity_type)]
        for owner in [EVERYONE] + ([row.user_id] if row.user_id else []):
            for bucket, dimension, key in keys:
                counts[(bucket, owner, dimension, key)] += 1
        if row.category == "AUDIT" and row.user_id:
            counts[(day, EVERYONE, "user", str(row.user_id))] += 1
    return counts


def rollup_counts(*dimensions) -> Counter:
    rows = ActivityRollup.objects.filter(dimension__in=dimensions or ("event", "path", "type", "user"), count__gt=0)
    return Counter({(r.bucket, r.user_id, r.dimension, r.key): r.count for r in rows})


def traffic(rng: random.Random, *, at: datetime, rows: int) -> None:
    batch = []
    for _ in range(rows):
        when = at + timedelta(seconds=rng.randrange(3 * 24 * 3600))
        user_id = rng.choice([None, 1, 2, 3])
        if rng.random() < 0.7:
            row = ActivityLog(
                timestamp=when, category="AUDIT", event=rng.choice(["api_request", "admin_request"]), message="m",
                user_id=user_id, path=rng.choice(PATHS), activity_type=rng.choice(["read", "write", ""]),
            )  # fmt: skip
            if rng.random() < 0.5:
                audit_buffer.add(row)  # the path a tracked request takes
            else:
                batch.append(row)  # a batch of the flusher
        else:
            category, event = rng.choice(EVENTS)
            activity_record(category=category, event=event, message="m", user_id=user_id, now=when)
    ActivityLog.objects.bulk_create(batch)


def test_rollups_equal_a_direct_count_after_random_traffic_and_pruning():
    rng = random.Random(11)
    for day in range(0, 12, 3):
        traffic(rng, at=START + timedelta(days=day), rows=150)
        # Prune at a random moment (not on a day boundary): rows and buckets before that day go together.
        now = START + timedelta(days=day + 3, seconds=rng.randrange(3600 * 24))
        activity_log_prune(older_than=timedelta(days=rng.choice([1, 2, 4])), now=now)
        expected = raw_counts()
        assert expected, "the mix left some rows"
        assert rollup_counts() == expected
    assert ActivityLog.objects.filter(timestamp__lt=START + timedelta(days=8)).count() == 0, "pruning did prune"


def test_a_prune_cutoff_inside_a_day_keeps_that_whole_day():
    for hours in (1, 23):
        activity_record(category="SECURITY", event="login_failed", message="m", now=START + timedelta(hours=hours))
    activity_log_prune(older_than=timedelta(days=1), now=START + timedelta(days=1, hours=12))
    assert ActivityLog.objects.count() == 2
    assert rollup_counts() == Counter({
        (START + timedelta(hours=1), EVERYONE, "event", "SECURITY:login_failed"): 1,
        (START + timedelta(hours=23), EVERYONE, "event", "SECURITY:login_failed"): 1,
    })  # fmt: skip
    activity_log_prune(older_than=timedelta(days=1), now=START + timedelta(days=2, minutes=1))
    assert (ActivityLog.objects.count(), rollup_counts()) == (0, Counter())


def test_session_ends_are_counted_by_reason_and_whole_minutes_for_everyone_and_the_user():
    at = START + timedelta(hours=5, minutes=20)
    session_ends_count(user_id=7, reason="inactive", lengths=[timedelta(minutes=21, seconds=59)] * 2, at=at)
    session_ends_count(user_id=8, reason="logout", lengths=[timedelta(seconds=30)], at=at)
    hour = START + timedelta(hours=5)
    assert rollup_counts("session_end", "session_minutes") == Counter({
        (hour, 0, "session_end", "inactive"): 2, (hour, 7, "session_end", "inactive"): 2,
        (hour, 0, "session_minutes", "21"): 2, (hour, 7, "session_minutes", "21"): 2,
        (hour, 0, "session_end", "logout"): 1, (hour, 8, "session_end", "logout"): 1,
        (hour, 0, "session_minutes", "0"): 1, (hour, 8, "session_minutes", "0"): 1,
    })  # fmt: skip


@pytest.mark.django_db
def test_the_rollup_trigger_survives_every_migration():
    """A migration that rebuilds the log's table on SQLite (an AlterField does) drops its trigger with it, and the
    rollups would stop counting without a word. The test database is built by every migration: it must be there."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", ["activity_activitylog"]
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'activity_activitylog'::regclass AND NOT tgisinternal"
            )
        assert [name for (name,) in cursor.fetchall()] == ["activity_rollup_add"]
