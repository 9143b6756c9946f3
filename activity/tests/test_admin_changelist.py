"""The log's changelist at scale: filter choices from the index walk, date links from MIN/MAX, its query count."""

import datetime

import pytest
from django.db import connection

from activity.admin_changelist import periods_between
from activity.models import ActivityLog

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
LOG = "/admin/activity/activitylog/"


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def row(timestamp, **fields):
    values = {"timestamp": timestamp, "category": "AUDIT", "event": "api_request", "message": "m"} | fields
    return ActivityLog.objects.create(**values)


@pytest.mark.parametrize(
    ("first", "last", "kind", "expected"),
    [
        (at(2025, 6, 3, 9), at(2027, 1, 1), "year", [at(2025, 1, 1), at(2026, 1, 1), at(2027, 1, 1)]),
        (at(2025, 11, 30, 23, 59), at(2026, 2, 1), "month", [at(2025, 11, 1), at(2025, 12, 1), at(2026, 1, 1),
                                                               at(2026, 2, 1)]),
        (at(2026, 2, 27, 1), at(2026, 3, 1, 23), "day", [at(2026, 2, 27), at(2026, 2, 28), at(2026, 3, 1)]),
        (at(2026, 5, 5, 5), at(2026, 5, 5, 6), "day", [at(2026, 5, 5)]),
        (None, None, "month", []),
    ],
)  # fmt: skip
def test_periods_between(first, last, kind, expected):
    assert periods_between(first, last, kind=kind) == expected


def test_periods_are_those_of_the_current_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"  # 03:00 UTC on 1 December is still 30 November there
    zone = datetime.timezone(datetime.timedelta(hours=-5))
    got = periods_between(at(2026, 11, 30, 12), at(2026, 12, 1, 3), kind="day")
    assert got == [datetime.datetime(2026, 11, 30, tzinfo=zone)]


@pytest.fixture
def log():
    rows = [
        row(at(2025, 12, 31, 23), event="logout", status_code=200),
        row(at(2026, 11, 29, 8), event="login_failed", status_code=401, category="SECURITY"),
        row(at(2026, 12, 2, 10), status_code=None),
        row(at(2026, 12, 4, 10), status_code=200),
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE activity_activitylog")
    return rows


def links(content: bytes, parameter: str) -> list[str]:
    """Return the values of `parameter` in the drill-down's links, in order."""
    html = content.decode()
    start = html.index('<nav class="toplinks">')
    block = html[start : html.index("</nav>", start)]
    return [chunk.split('"')[0].split("&amp;")[0] for chunk in block.split(f"{parameter}=")[1:]]


def test_drilldown_lists_the_periods_from_the_first_row_to_the_last(admin_client, log):
    # The admin's own requests are logged too (now): filters keep them out of the views pinned here.
    response = admin_client.get(LOG + "?event=login_failed")
    assert links(response.content, "timestamp__day") == ["29"]  # one row: straight to its month's days
    response = admin_client.get(LOG + "?event=api_request")
    assert links(response.content, "timestamp__day") == ["2", "3", "4"]  # 3 holds no row, yet is listed
    response = admin_client.get(LOG + "?timestamp__year=2026&event=api_request")
    assert links(response.content, "timestamp__month") == ["12"]
    response = admin_client.get(LOG + "?timestamp__year=2026&status_code=401")
    assert links(response.content, "timestamp__month") == ["11"]
    response = admin_client.get(LOG + "?timestamp__year=2025")
    assert links(response.content, "timestamp__month") == ["12"]
    response = admin_client.get(LOG + "?timestamp__year=2026&timestamp__month=12&timestamp__day=4&event=api_request")
    assert list(response.context["cl"].result_list) == [log[3]]


def test_filters_list_the_values_in_the_log(admin_client, log):
    html = admin_client.get(LOG).content.decode()
    for choice in ("?event=login_failed", "?event=logout", "?event=api_request", "?status_code=200",
                   "?status_code=401", "?status_code__isnull=True"):  # fmt: skip
        assert f'<a href="{choice}">' in html, choice
    response = admin_client.get(LOG + "?status_code=401")
    assert response.context["cl"].result_count == 1
    assert list(response.context["cl"].result_list) == [log[1]]


def test_the_changelist_reads_a_bounded_number_of_queries(admin_client, log, django_assert_max_num_queries):
    # The Django session, the login session and its clock (3), the two filters' index walks (2), the count (1;
    # PostgreSQL above EXACT_UP_TO: 2, the bounded count and EXPLAIN), the page (1), the drill-down's MIN/MAX (1),
    # the admin-request row (1). None of them grows with the log.
    for url in (LOG, LOG + "?q=/api/&p=1", LOG + "?timestamp__year=2026&timestamp__month=12&timestamp__day=4"):
        with django_assert_max_num_queries(10):
            assert admin_client.get(url).status_code == 200


def test_only_the_logs_order_is_offered(admin_client, log):
    html = admin_client.get(LOG).content.decode()
    assert 'class="sortable column-timestamp sorted descending"' in html
    assert "sortable column-message" not in html and "sortable column-event" not in html
