"""The estimated-count paginator: exact up to its bound, PostgreSQL's estimate above it, labelled as one."""

import datetime

import pytest
from django.db import connection

from activity.models import ActivityLog
from activity.paginators import EstimatedCountPaginator

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC)
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="estimates are PostgreSQL's planner's")
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the behaviour without a planner estimate")


@pytest.fixture
def rows():
    ActivityLog.objects.bulk_create(
        ActivityLog(
            timestamp=T0 + datetime.timedelta(seconds=n), category="AUDIT", event="api_request", message="m", path="/x"
        )
        for n in range(30)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE activity_activitylog")  # the planner's statistics: 30 rows
    return ActivityLog.objects.order_by("-timestamp", "-id")


class Bounded(EstimatedCountPaginator):
    exact_up_to = 10


def test_counts_exactly_up_to_its_bound(rows):
    paginator = Bounded(rows.filter(timestamp__lt=T0 + datetime.timedelta(seconds=10)), 4)
    assert (paginator.count, paginator.count_is_estimate, paginator.num_pages) == (10, False, 3)
    assert [r.timestamp for r in paginator.page(3).object_list] == [T0 + datetime.timedelta(seconds=1), T0]


@postgres_only
def test_estimates_above_its_bound(rows, django_assert_num_queries):
    paginator = Bounded(rows, 4)
    with django_assert_num_queries(2):  # the bounded count, then EXPLAIN
        assert (paginator.count, paginator.count_is_estimate) == (30, True)
    filtered = Bounded(rows.filter(event="api_request"), 4)
    assert (filtered.count, filtered.count_is_estimate) == (30, True)


@postgres_only
def test_an_estimate_is_never_below_what_was_counted(rows, monkeypatch):
    monkeypatch.setattr("activity.paginators.planner_estimate", lambda rows: 1)
    paginator = Bounded(rows, 4)
    assert (paginator.count, paginator.count_is_estimate) == (11, True)


@sqlite_only
def test_counts_exactly_without_a_planner_estimate(rows, django_assert_num_queries):
    paginator = Bounded(rows, 4)
    with django_assert_num_queries(1):
        assert (paginator.count, paginator.count_is_estimate) == (30, False)


def test_the_admin_labels_an_estimate(rows, admin_client, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 10)
    page = admin_client.get("/admin/activity/activitylog/?event__exact=api_request").content.decode()
    searched = admin_client.get("/admin/activity/activitylog/?q=/x").content.decode()
    if connection.vendor == "postgresql":
        assert "about 30 activity logs (an estimate)" in page
        assert "30 activity logs\n" not in page
        assert "about 30 results (an estimate)" in searched
    else:
        assert "30 activity logs\n" in page
        assert "an estimate" not in page
        assert "30 results" in searched
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 100)
    page = admin_client.get("/admin/activity/activitylog/?event__exact=api_request").content.decode()
    assert "30 activity logs\n" in page
    assert "an estimate" not in page


@pytest.mark.parametrize("number", [1, 2, 7, 8])
def test_a_page_holds_the_rows_plain_slicing_gives(rows, number, django_assert_num_queries):
    paginator = Bounded(rows, 4)
    plain = list(rows[(number - 1) * 4 : number * 4 if number < 8 else 30])
    page = paginator.page(number)
    with django_assert_num_queries(1):
        assert list(page.object_list) == plain
    assert len(plain) == (4 if number < 8 else 2)
