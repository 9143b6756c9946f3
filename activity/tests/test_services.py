"""Writing and pruning the log."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from activity import services
from activity.models import ActivityLog
from activity.services import activity_log_prune, activity_record, request_ip, request_path

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)


def rows(count, *, at):
    ActivityLog.objects.bulk_create(
        ActivityLog(timestamp=at, category="AUDIT", event="api_request", message="m") for _ in range(count)
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/a/", "/a/"),
        ("/a/?page=2", "/a/?page=2"),
        (
            "/a/?access=abc&refresh=def&password=p&Token=t",
            "/a/?access=[redacted]&refresh=[redacted]&password=[redacted]&Token=[redacted]",
        ),
        ("/a/?q=" + "x" * 1000, "/a/?q=" + "x" * 506),
    ],
)
def test_request_path_redacts_and_truncates(url, expected):
    assert request_path(RequestFactory().get(url)) == expected


def test_record_keeps_no_secrets(user):
    request = RequestFactory().post(
        "/api/x/", data={"password": "hunter2"}, HTTP_AUTHORIZATION="Bearer abc.def.ghi", HTTP_COOKIE="sessionid=s3"
    )
    row = activity_record(category="SECURITY", event="e", message="m", request=request, user=user, now=NOW)
    stored = str(ActivityLog.objects.filter(pk=row.pk).values().get())
    for secret in ("hunter2", "abc.def.ghi", "s3"):
        assert secret not in stored


def test_record_truncates_a_huge_user_agent(user):
    request = RequestFactory().get("/", HTTP_USER_AGENT="A" * 10_000)
    row = activity_record(category="AUDIT", event="e", message="m", request=request, now=NOW)
    assert len(ActivityLog.objects.get(pk=row.pk).user_agent) == 256


def test_request_without_a_client_address_has_no_ip():
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert request_ip(request) is None


def test_record_ignores_an_ip_that_is_not_one():
    request = RequestFactory().get("/", REMOTE_ADDR="not-an-ip")
    row = activity_record(category="AUDIT", event="e", message="m", request=request, now=NOW)
    assert row.ip is None


def test_prune_deletes_only_old_rows_in_batches(django_assert_num_queries):
    rows(7, at=NOW - timedelta(days=91))
    rows(3, at=NOW - timedelta(days=89))
    # Three batches of 3, 3 and 1 rows (a SELECT and a DELETE each), then one SELECT that finds none.
    with django_assert_num_queries(7):
        assert activity_log_prune(now=NOW, batch_size=3) == 7
    assert ActivityLog.objects.count() == 3


def test_prune_with_an_explicit_age():
    rows(2, at=NOW - timedelta(days=2))
    rows(1, at=NOW)
    assert activity_log_prune(older_than=timedelta(days=1), now=NOW) == 2


class RunNow:
    """Stands in for threading.Thread: runs the target at start(), in the test's own database connection."""

    def __init__(self, target, **kwargs):
        self.target = target

    def start(self):
        self.target()


def test_automatic_pruning_runs_at_most_once_per_interval(settings, monkeypatch):
    settings.ACTIVITY = {**settings.ACTIVITY, "PRUNE_INTERVAL_SECONDS": 3600}
    monkeypatch.setattr(services.threading, "Thread", RunNow)
    monkeypatch.setattr(services, "connections", type("NoClose", (), {"close_all": staticmethod(lambda: None)}))
    monkeypatch.setattr(services, "close_old_connections", lambda: None)
    monkeypatch.setattr(services, "_next_prune_check", 0.0)
    rows(4, at=timezone.now() - timedelta(days=91))
    assert services.activity_log_prune_if_due() is True
    assert ActivityLog.objects.count() == 0
    rows(4, at=timezone.now() - timedelta(days=91))
    assert services.activity_log_prune_if_due() is False  # within the hour
    assert ActivityLog.objects.count() == 4


def test_automatic_pruning_can_be_turned_off(settings):
    settings.ACTIVITY = {**settings.ACTIVITY, "PRUNE_INTERVAL_SECONDS": 0}
    assert services.activity_log_prune_if_due() is False
