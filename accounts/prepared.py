"""The two statements of the per-request path, prepared once instead of built by the ORM on every request.

Building these queries costs the ORM more than the database spends running them, and stock SimpleJWT's plain user
lookup would not pay that. Each sits beside the plain ORM code it stands for; `tests/test_prepared.py` checks that
both give the same on every backend the suite runs on (SQLite, and PostgreSQL in CI).
"""

import uuid
import weakref
from datetime import datetime

from django.db import connections
from django.db.models import Case, F, Q, Value, When
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


def last_activity_advance_orm(pk, *, at: datetime, idle_at: datetime, idle_type: str) -> int:
    later_deadline = Q(idle_at__lt=idle_at)
    return LoginSession.objects.filter(Q(pk=pk) & (Q(last_activity__lt=at) | later_deadline)).update(
        last_activity=Case(When(last_activity__lt=at, then=Value(at)), default=F("last_activity")),
        idle_type=Case(When(later_deadline, then=Value(idle_type)), default=F("idle_type")),
        idle_at=Case(When(later_deadline, then=Value(idle_at)), default=F("idle_at")),
    )


def last_activity_advance(pk, *, at: datetime, idle_at: datetime, idle_type: str) -> int:
    """Move the session's last activity forward to `at` and its deadline to `idle_at` (with the type that set it),
    never back; return the rows updated (0 or 1). `last_activity_advance_orm`, as one statement built once per
    database vendor (every right-hand side reads the row as it was, in SQL).
    """
    connection = connections[LoginSession.objects.db]
    sql = _ADVANCE_SQL.get(connection.vendor)
    if sql is None:
        qn, meta = connection.ops.quote_name, LoginSession._meta
        last, idle, kind = qn("last_activity"), qn("idle_at"), qn("idle_type")
        sql = (
            f"UPDATE {qn(meta.db_table)} SET "  # noqa: S608
            f"{last} = CASE WHEN {last} < %s THEN %s ELSE {last} END, "
            f"{kind} = CASE WHEN {idle} < %s THEN %s ELSE {kind} END, "
            f"{idle} = CASE WHEN {idle} < %s THEN %s ELSE {idle} END "
            f"WHERE {qn(meta.pk.column)} = %s AND ({last} < %s OR {idle} < %s)"
        )
        _ADVANCE_SQL[connection.vendor] = sql
    field = LoginSession._meta.get_field("last_activity")
    at, idle_at = (field.get_db_prep_value(value, connection) for value in (at, idle_at))
    pk = LoginSession._meta.pk.get_db_prep_value(uuid.UUID(str(pk)), connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [at, at, idle_at, idle_type, idle_at, idle_at, pk, at, idle_at])
        return cursor.rowcount
