from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from activity.models import ActivityLog
from activity.tests.test_progress import Terminal

pytestmark = pytest.mark.django_db


def summary(rows: int, days: int) -> str:
    return (
        f"Deleted {rows} activity log rows, 0 login sessions and 0 django sessions (kept: the last {days} days; "
        "Django sessions until they expire).\n"
    )


def test_prune_command():
    now = timezone.now()
    for age in (1, 10, 100):
        ActivityLog.objects.create(timestamp=now - timedelta(days=age), category="AUDIT", event="e", message="m")
    out = StringIO()
    call_command("prune_activity_logs", stdout=out)
    assert out.getvalue() == summary(1, 90)
    call_command("prune_activity_logs", "--days", "5", stdout=out)
    assert out.getvalue().endswith(summary(1, 5))
    assert ActivityLog.objects.count() == 1


def test_prune_command_rejects_negative_days():
    with pytest.raises(CommandError, match="--days must be zero or more"):
        call_command("prune_activity_logs", "--days", "-1")


def rows(count, *, age_days):
    at = timezone.now() - timedelta(days=age_days)
    ActivityLog.objects.bulk_create(
        ActivityLog(timestamp=at, category="AUDIT", event="e", message="m") for _ in range(count)
    )


def test_prune_shows_its_progress_on_a_terminal(settings):
    settings.ACTIVITY = {**settings.ACTIVITY, "PRUNE_BATCH_SIZE": 2}
    rows(5, age_days=100)
    out, err = StringIO(), Terminal()
    call_command("prune_activity_logs", stdout=out, stderr=err)
    # The first batch, then the last figures on their own line; batches in between show if the machine is slow
    # enough for a quarter second to pass. The rate and time left depend on its speed.
    lines = err.getvalue().split("\r")
    done = [line.split(",")[0].removeprefix("activity log rows: ") for line in lines[1:]]
    assert (lines[0], done[0], done[-1]) == ("", "2 of 5", "5 of 5")
    assert set(done) <= {"2 of 5", "4 of 5", "5 of 5"}
    assert all(line.endswith(" left\x1b[K") for line in lines[1:-1]) and lines[-1].endswith(" left\x1b[K\n")
    assert out.getvalue() == summary(5, 90)


def test_prune_under_cron_writes_only_its_summary(settings):
    settings.ACTIVITY = {**settings.ACTIVITY, "PRUNE_BATCH_SIZE": 2}
    rows(5, age_days=100)
    out, err = StringIO(), StringIO()
    call_command("prune_activity_logs", stdout=out, stderr=err)
    assert (out.getvalue(), err.getvalue()) == (
        summary(5, 90),
        "",
    )
