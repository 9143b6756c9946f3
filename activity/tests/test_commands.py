from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from activity.models import ActivityLog

pytestmark = pytest.mark.django_db


def test_prune_command():
    now = timezone.now()
    for age in (1, 10, 100):
        ActivityLog.objects.create(timestamp=now - timedelta(days=age), category="AUDIT", event="e", message="m")
    out = StringIO()
    call_command("prune_activity_logs", stdout=out)
    assert out.getvalue() == "Deleted 1 activity log rows older than 90 days.\n"
    call_command("prune_activity_logs", "--days", "5", stdout=out)
    assert out.getvalue().endswith("Deleted 1 activity log rows older than 5 days.\n")
    assert ActivityLog.objects.count() == 1


def test_prune_command_rejects_negative_days():
    with pytest.raises(CommandError, match="--days must be zero or more"):
        call_command("prune_activity_logs", "--days", "-1")
