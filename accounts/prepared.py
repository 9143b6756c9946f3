"""The two statements of the per-request path, prepared once instead of built by the ORM on every request.

Building these queries costs the ORM more than the database spends running them, and stock SimpleJWT's plain user
lookup would not pay that. Each sits beside the plain ORM code it stands for; `tests/test_prepared.py` checks that
both give the same on every backend the suite runs on (SQLite, and PostgreSQL in CI).
"""

import uuid
import weakref
from datetime import datetime

from django.db import connections
from django.db.models.query import get_related_populators

from .models import LoginSession

_LOOKUPS = weakref.WeakKeyDictionary()  # the compiled session-with-user lookup, per connection (so per thread)
_ADVANCE_SQL: dict[str, str] = {}  # the statement of last_activity_advance, per database vendor


def reset() -> None:
    """Forget the prepared statements (tests)."""
    _LOOKUPS.clear()
    _ADVANCE_SQL.clear()


def session_with_user_orm(pk: uuid.UUID) -> LoginSession | None:
    return LoginSession.objects.select_related("user").filter(pk=pk).order_by().first()


def session_with_user(pk: uuid.UUID) -> LoginSession | None:
    """Return the session with its user, in one query, or None: `session_with_user_orm`, compiled once."""
    connection = connections[LoginSession.objects.db]
    lookup = _LOOKUPS.get(connection)
    if lookup is None:
        queryset = LoginSession.objects.select_related("user").filter(pk=pk).order_by()
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()  # also sets up compiler.select and compiler.klass_info
        assert len(params) == 1, params
        fields = compiler.klass_info["select_fields"]
        init_list = [column[0].target.attname for column in compiler.select[fields[0] : fields[-1] + 1]]
        populators = get_related_populators(compiler.klass_info, compiler.select, queryset.db)
        lookup = _LOOKUPS[connection] = (compiler, sql, init_list, slice(fields[0], fields[-1] + 1), populators)
    compiler, sql, init_list, own_columns, populators = lookup
    with connection.cursor() as cursor:
        cursor.execute(sql, [LoginSession._meta.pk.get_db_prep_value(pk, connection)])
        row = cursor.fetchone()
    if row is None:
        return None
    row = next(compiler.results_iter([[row]]))  # the backend's converters, as the ORM applies them
    session = LoginSession.from_db(connection.alias, init_list, row[own_columns])
    for populator in populators:
        populator.populate(row, session)
    return session


def last_activity_advance_orm(pk, at: datetime) -> int:
    return LoginSession.objects.filter(pk=pk, last_activity__lt=at).update(last_activity=at)


def last_activity_advance(pk, at: datetime) -> int:
    """Move the session's last activity forward to `at`, never back; return the rows updated (0 or 1).

    `last_activity_advance_orm`, as one statement built once per database vendor.
    """
    connection = connections[LoginSession.objects.db]
    sql = _ADVANCE_SQL.get(connection.vendor)
    if sql is None:
        qn, meta = connection.ops.quote_name, LoginSession._meta
        column = qn("last_activity")
        sql = f"UPDATE {qn(meta.db_table)} SET {column} = %s WHERE {qn(meta.pk.column)} = %s AND {column} < %s"  # noqa: S608
        _ADVANCE_SQL[connection.vendor] = sql
    at = LoginSession._meta.get_field("last_activity").get_db_prep_value(at, connection)
    pk = LoginSession._meta.pk.get_db_prep_value(uuid.UUID(str(pk)), connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [at, pk, at])
        return cursor.rowcount
