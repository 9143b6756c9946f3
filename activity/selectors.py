"""Reading the activity log."""

import ipaddress
import uuid

from django.db import connections
from django.db.models import QuerySet

from .models import ActivityLog

MAX_LIMIT = 500
# The columns whose distinct values the admin's filters list (each has an index the skip scan walks).
DISTINCT_FIELDS = ("event", "status_code")


def activity_log_recent(*, user_id=None, category: str | None = None, limit: int = 50) -> QuerySet[ActivityLog]:
    """Return the newest rows first, optionally of one user and one category, at most `limit` (capped)."""
    rows = ActivityLog.objects.all()
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    if category is not None:
        rows = rows.filter(category=category)
    newest = rows.order_by("-timestamp", "-id")[: min(limit, MAX_LIMIT)]
    if user_id is None:
        return newest  # the newest rows of the log or of a category: the front of an ordered index
    # One user's: the keys first, from the index alone (it holds the log's order), then those rows by key. Asked in
    # one piece, PostgreSQL reads and sorts every row of a user it expected few of (10,000 rows: 170-280 ms).
    return ActivityLog.objects.filter(pk__in=newest.values("pk")).order_by("-timestamp", "-id")


def activity_log_search(*, rows: QuerySet[ActivityLog], terms: str) -> QuerySet[ActivityLog]:
    """Narrow `rows` to those every word of `terms` names: an IP address, a session id, a path by its start, a username.

    Each kind of word reads one index (ip, session_id, path, username), so a search costs the same on a log of any
    size: a word that parses as an IP address matches `ip`; one that parses as a UUID, `session_id`; a word starting
    with "/" matches the paths it begins; any other word is a username, matched exactly (case and all).
    """
    for term in terms.split():
        rows = rows.filter(**_search_lookup(term))
    return rows


def _search_lookup(term: str) -> dict:
    try:
        return {"ip": str(ipaddress.ip_address(term))}
    except ValueError:
        pass
    try:
        return {"session_id": uuid.UUID(term)}
    except ValueError:
        pass
    return {"path__startswith": term} if term.startswith("/") else {"username": term}


def activity_log_distinct_values(*, field: str) -> list:
    """Return the distinct values of `field` (one of DISTINCT_FIELDS) in the log, in order, None last if any row has it.

    `SELECT DISTINCT` reads every row (or every index entry): seconds at ten million rows. This walks the field's
    index instead, one probe per distinct value (a "loose index scan"), which is as fast as the values are few.
    It equals `ActivityLog.objects.order_by(field).values_list(field, flat=True).distinct()`; the tests hold it to that.
    """
    if field not in DISTINCT_FIELDS:
        raise ValueError(f"No distinct-values index on {field!r}.")
    connection = connections[ActivityLog.objects.db]
    table = connection.ops.quote_name(ActivityLog._meta.db_table)
    column = connection.ops.quote_name(ActivityLog._meta.get_field(field).column)
    sql = f"""
        WITH RECURSIVE walk(value) AS (
            SELECT MIN({column}) FROM {table}
            UNION ALL
            SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > walk.value) FROM walk
            WHERE walk.value IS NOT NULL
        )
        SELECT value FROM walk WHERE value IS NOT NULL
        UNION ALL
        SELECT NULL WHERE EXISTS (SELECT 1 FROM {table} WHERE {column} IS NULL)
    """  # noqa: S608 (the table and a column from DISTINCT_FIELDS, quoted)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [value for (value,) in cursor.fetchall()]
