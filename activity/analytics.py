"""Reading the rollups (rollups.py) into the numbers of the analytics page and `GET /api/logs/stats`.

Every function reads only rollup buckets of its range (at most 24 per day per key, per user in scope), through the
index that leads with (user_id, dimension, bucket): its cost follows the range asked for, never the size of the log.
Days are UTC days.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Sum

from .models import ActivityRollup
from .rollups import EVERYONE, SESSION_END, SESSION_MINUTES

REQUESTS = "AUDIT:"  # the `event` keys of tracked requests (api_request, admin_request)
LOGIN_SUCCEEDED, LOGIN_FAILED = "SECURITY:login_succeeded", "SECURITY:login_failed"
END_REASONS = ("inactive", "expired", "logout", "revoked", "reuse", "password_changed", "user_deactivated")


@dataclass(frozen=True)
class Range:
    """Whose numbers (`user_ids`; None: everyone's) over which UTC days, `first` to `last` included."""

    first: date
    last: date
    user_ids: tuple[int, ...] | None = None

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=UTC)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


EPOCH = date(1970, 1, 1)
DEFAULT_DAYS, MAX_DAYS = 30, 366


def range_bounded(*, first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The days to show for what was asked: by default the last 30 days; the dates in either order; nothing after
    today or before 1970; at most MAX_DAYS days (the last ones). Lenient where the meaning is plain (a capped
    `limit` is too); only a malformed date is refused."""
    last = min(max(last or today, EPOCH), today)
    first = max(first or last - timedelta(days=DEFAULT_DAYS - 1), EPOCH)
    first, last = sorted((first, last))
    last = min(last, today)
    return min(max(first, last - timedelta(days=MAX_DAYS - 1)), last), last


def _buckets(scope: Range, dimension: str, *, start=None, end=None):
    start, end = start or scope.start, end or scope.end
    rows = ActivityRollup.objects.filter(dimension=dimension, bucket__gte=start, bucket__lt=end)
    if scope.user_ids is None:
        return rows.filter(user_id=EVERYONE)
    return rows.filter(user_id__in=scope.user_ids)


def _per_hour(rows) -> dict[datetime, int]:
    return {row["bucket"]: row["n"] for row in rows.values("bucket").annotate(n=Sum("count")).order_by()}


def _per_day(scope: Range, per_hour: dict[datetime, int]) -> list[tuple[date, int]]:
    days = Counter()
    for hour, n in per_hour.items():
        days[hour.astimezone(UTC).date()] += n
    return [(day, days[day]) for day in scope.days()]


def requests_per_hour(scope: Range) -> list[tuple[datetime, int]]:
    """Tracked requests in each of the 24 hours that end with the range (the last day's end, or now if sooner)."""
    end = min(scope.end, hour_after(datetime.now(UTC)))
    hours = [end - timedelta(hours=n) for n in range(24, 0, -1)]
    counts = _per_hour(_buckets(scope, "event", start=hours[0], end=end).filter(key__startswith=REQUESTS))
    return [(hour, counts.get(hour, 0)) for hour in hours]


def hour_after(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def requests_per_day(scope: Range) -> list[tuple[date, int]]:
    return _per_day(scope, _per_hour(_buckets(scope, "type")))  # every tracked request has a type: daily buckets


def events_per_day(scope: Range, key: str) -> list[tuple[date, int]]:
    return _per_day(scope, _per_hour(_buckets(scope, "event").filter(key=key)))


def session_ends_per_day(scope: Range) -> list[tuple[date, dict[str, int]]]:
    """Sessions ended on each day, by end reason (every reason present, zeros included)."""
    days: dict[date, Counter] = defaultdict(Counter)
    for row in _buckets(scope, SESSION_END).values("bucket", "key").annotate(n=Sum("count")).order_by():
        days[row["bucket"].astimezone(UTC).date()][row["key"]] += row["n"]
    return [(day, {reason: days[day][reason] for reason in END_REASONS}) for day in scope.days()]


def idle_ends_by_hour_of_day(scope: Range) -> list[tuple[int, int]]:
    """Sessions ended for inactivity, by the UTC hour of day they ended in (0-23)."""
    hours = Counter()
    for hour, n in _per_hour(_buckets(scope, SESSION_END).filter(key="inactive")).items():
        hours[hour.astimezone(UTC).hour] += n
    return [(hour, hours[hour]) for hour in range(24)]


def session_lengths(scope: Range) -> dict[str, int | None]:
    """How many sessions ended in the range, and the median and 90th percentile of their lengths (whole minutes,
    nearest rank: the length that many sessions lasted at most)."""
    rows = _buckets(scope, SESSION_MINUTES).values("key").annotate(n=Sum("count")).order_by()
    histogram = sorted((int(row["key"]), row["n"]) for row in rows)
    total = sum(n for _, n in histogram)
    return {
        "count": total,
        "median_minutes": _percentile(histogram, total, 0.5),
        "p90_minutes": _percentile(histogram, total, 0.9),
    }


def _percentile(histogram: list[tuple[int, int]], total: int, fraction: float) -> int | None:
    rank, seen = max(1, -(-total * fraction // 1)), 0  # nearest rank: ceil(fraction × total)
    for minutes, n in histogram:
        seen += n
        if seen >= rank:
            return minutes
    return None


def top_users(scope: Range, limit: int = 10) -> list[tuple[int, str, int]]:
    """The users with the most tracked requests: (user id, username, requests), most first."""
    if scope.user_ids is None:  # everyone's daily ranking: one bucket per active user and day
        rows = _buckets(scope, "user").values("key").annotate(n=Sum("count")).order_by("-n", "key")[:limit]
        top = [(int(row["key"]), row["n"]) for row in rows]
    else:  # the users in scope, from their own daily counts by type
        rows = _buckets(scope, "type").values("user_id").annotate(n=Sum("count")).order_by("-n", "user_id")[:limit]
        top = [(row["user_id"], row["n"]) for row in rows]
    users = get_user_model()
    names = dict(users.objects.filter(pk__in=[pk for pk, _ in top]).values_list("pk", users.USERNAME_FIELD))
    return [(pk, names.get(pk, ""), n) for pk, n in top]


def top_paths(scope: Range, limit: int = 10) -> list[tuple[str, int]]:
    """The paths with the most tracked requests: (path, requests), most first."""
    rows = _buckets(scope, "path").values("key").annotate(n=Sum("count")).order_by("-n", "key")[:limit]
    return [(row["key"], row["n"]) for row in rows]


# Open login sessions belong to accounts, which activity never imports: accounts registers how to count them.
_open_session_counters = []


def open_sessions_counter_register(counter) -> None:
    """Register `counter(*, user_ids, now) -> int`: how many sessions (of those users; None: anyone's) are open."""
    if counter not in _open_session_counters:
        _open_session_counters.append(counter)


def open_sessions(scope: Range) -> int | None:
    """Sessions open now (neither ended, past their maximum, nor idle), or None if nobody counts them."""
    now = datetime.now(UTC)
    counts = [counter(user_ids=scope.user_ids, now=now) for counter in _open_session_counters]
    return sum(counts) if counts else None
