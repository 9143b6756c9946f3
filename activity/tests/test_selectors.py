"""Reading the log: the admin's search words and the distinct values its filters list."""

import datetime
import uuid

import pytest

from activity.models import ActivityLog
from activity.selectors import activity_log_distinct_values, activity_log_recent, activity_log_search

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC)


def row(**fields):
    values = {"timestamp": T0, "category": "AUDIT", "event": "api_request", "message": "m"} | fields
    return ActivityLog.objects.create(**values)


def found(terms):
    return set(activity_log_search(rows=ActivityLog.objects.all(), terms=terms).values_list("pk", flat=True))


def test_an_ip_address_matches_that_address_only():
    one = row(ip="10.0.0.1")
    row(ip="10.0.0.10")
    row(ip="110.0.0.1")
    v6 = row(ip="2001:db8::1")
    assert found("10.0.0.1") == {one.pk}
    assert found("2001:0db8:0::1") == {v6.pk}  # any spelling of the address


def test_a_session_id_matches_that_sessions_rows():
    session = uuid.uuid4()
    one, two = row(session_id=session), row(session_id=session, username="ada")
    row(session_id=uuid.uuid4(), username=str(session))
    assert found(str(session)) == {one.pk, two.pk}
    assert found(session.hex.upper()) == {one.pk, two.pk}  # any spelling of the id


def test_a_path_matches_the_paths_it_begins():
    exact, longer = row(path="/api/graphs/1"), row(path="/api/graphs/17")
    row(path="/other/api/graphs/1")
    # (A path in other case: PostgreSQL's LIKE tells them apart; SQLite's, Django's startswith there, does not.)
    assert found("/api/graphs/1") == {exact.pk, longer.pk}


def test_any_other_word_is_a_username_matched_exactly():
    ada = row(username="ada")
    row(username="adam")
    row(username="Ada")
    row(path="/ada", message="ada")
    assert found("ada") == {ada.pk}


def test_every_word_narrows():
    both = row(username="ada", ip="10.0.0.1", path="/api/me")
    row(username="ada", ip="10.0.0.2", path="/api/me")
    row(username="bob", ip="10.0.0.1", path="/api/me")
    assert found("ada 10.0.0.1") == {both.pk}
    assert found("  ada   10.0.0.1 /api/  ") == {both.pk}
    assert found("ada 10.0.0.1 /nope") == set()
    assert found("") == {row.pk for row in ActivityLog.objects.all()}


@pytest.mark.parametrize("field", ["event", "status_code"])
def test_distinct_values_equal_select_distinct(field):
    for event, status in [("login_failed", 401), ("api_request", 200), ("api_request", None), ("logout", 200)]:
        row(event=event, status_code=status)
    plain = list(ActivityLog.objects.order_by(field).values_list(field, flat=True).distinct())
    walked = activity_log_distinct_values(field=field)
    assert sorted(walked, key=lambda v: (v is None, v)) == sorted(plain, key=lambda v: (v is None, v))
    assert walked == {"event": ["api_request", "login_failed", "logout"], "status_code": [200, 401, None]}[field]


def test_distinct_values_of_an_empty_log_and_of_an_unindexed_field():
    assert activity_log_distinct_values(field="event") == []
    with pytest.raises(ValueError, match="message"):
        activity_log_distinct_values(field="message")


def test_recent_rows_are_the_newest_of_the_filter_in_the_logs_order(django_assert_num_queries):
    tie = T0 + datetime.timedelta(minutes=5)
    kinds = ("AUDIT", "SECURITY")
    rows = [row(timestamp=T0 + datetime.timedelta(minutes=n % 7), user_id=1 + n % 2, category=kinds[n % 3 == 0])
            for n in range(30)] + [row(timestamp=tie, user_id=1), row(timestamp=tie, user_id=1)]  # fmt: skip
    newest = sorted(rows, key=lambda r: (r.timestamp, r.pk), reverse=True)
    with django_assert_num_queries(2):
        assert list(activity_log_recent(limit=5)) == newest[:5]
        assert list(activity_log_recent(user_id=1, limit=5)) == [r for r in newest if r.user_id == 1][:5]
    mine = [r for r in newest if r.user_id == 1 and r.category == "SECURITY"]
    assert list(activity_log_recent(user_id=1, category="SECURITY", limit=500)) == mine
    assert list(activity_log_recent(user_id=2, limit=3)) == [r for r in newest if r.user_id == 2][:3]
    assert len(activity_log_recent(limit=10_000)) == 32
