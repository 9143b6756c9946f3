"""AUDIT rows written in batches: a tracked request only queues its row, a background thread inserts them.

One multi-row INSERT per batch instead of one INSERT (and one commit) per request. Rows are flushed when the batch
is full, at least every AUDIT_FLUSH_INTERVAL_SECONDS, before this process serves a read of the log, and when it
exits. A hard crash (SIGKILL, power loss) loses at most the rows queued in that last interval, in that process.

Rows arrive storable (activity/scrub.py); should the database still refuse a batch, the batch is split until the
refused row is alone, the others are written, and that row is replaced by an ERROR row: one bad row never holds
back good ones. A database that is away (a connection error) keeps the whole batch for the next flush instead.
"""

import atexit
import contextlib
import logging
import os
import threading
from collections import namedtuple

from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
    models,
    router,
    transaction,
)

from .conf import activity_settings
from .failures import logging_failure_report
from .models import ActivityLog

logger = logging.getLogger(__name__)

# Rows kept for a retry while the database is away; beyond it the oldest are dropped (and that is logged).
MAX_BACKLOG = 10_000

_FIELDS = [field for field in ActivityLog._meta.concrete_fields if not field.primary_key]
# An AUDIT row in the queue: the log's columns as plain values (a model instance costs several times more to make,
# on every tracked request). ActivityLog instances are queued as well.
AuditRow = namedtuple("AuditRow", [f.attname for f in _FIELDS], defaults=[f.get_default() for f in _FIELDS])
# Columns whose values are queued as stored (text, numbers, the user id); the others (a datetime, a UUID, an IP
# address) are stored in the form their backend wants (Field.get_db_prep_save).
_STORED_AS_IS = (models.CharField, models.IntegerField, models.FloatField, models.ForeignKey)


class AuditBuffer:
    def __init__(self):
        self._rows: list[ActivityLog] = []
        self._lock = threading.Lock()  # guards the queue: held for an append or a swap, never during a write
        self._writing = threading.Lock()  # one write at a time, so a flush waits for a batch already being written
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def add(self, row: ActivityLog) -> None:
        """Queue one row; without a flush interval, write it (and any backlog) now."""
        conf = activity_settings()
        batched = conf.AUDIT_FLUSH_INTERVAL_SECONDS > 0
        with self._lock:
            if batched:
                self._ensure_thread()
            self._rows.append(row)
            full = len(self._rows) >= conf.AUDIT_BATCH_SIZE
        if not batched:
            self.flush()
        elif full:
            self._wake.set()

    def flush(self) -> int:
        """Write every queued row now, after any batch the flusher is writing; return how many this call wrote.

        So a read of the log that flushes first (or the exit hook) sees every row this process was handed.
        """
        with self._writing:
            with self._lock:
                rows, self._rows = self._rows, []
            return self._write(rows) if rows else 0

    def _write(self, rows: list) -> int:
        try:
            rows_insert(rows)
        except (OperationalError, InterfaceError) as exc:  # the database is away, not the rows: retry them all
            logging_failure_report(
                kind="audit_kept", log=logger,
                message=f"Could not write {len(rows)} AUDIT row(s), kept for a retry: {type(exc).__name__}",
            )  # fmt: skip
            self._keep(rows)
            return 0
        except (DatabaseError, ValueError) as exc:  # a row refused (DataError; a driver's ValueError for NUL)
            if len(rows) > 1:
                half = len(rows) // 2
                return self._write(rows[:half]) + self._write(rows[half:])
            _replace(rows[0], exc)
            return 0
        return len(rows)

    def _keep(self, rows: list[ActivityLog]) -> None:
        with self._lock:
            self._rows[:0] = rows
            if len(self._rows) > MAX_BACKLOG:
                dropped = len(self._rows) - MAX_BACKLOG
                del self._rows[:dropped]
                logger.error("dropped the %d oldest queued AUDIT rows (backlog full)", dropped)

    def _ensure_thread(self) -> None:
        # Called under the lock. A forked worker inherits no threads: start its own flusher.
        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            return
        self._pid = os.getpid()
        self._thread = threading.Thread(target=self._run, name="activity-audit-flusher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Write what is queued and stop the flusher (it starts again with the next row)."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._wake.set()
            thread.join(timeout=10)
        self.flush()

    def _run(self) -> None:
        me = threading.current_thread()
        try:
            while self._thread is me:
                interval = activity_settings().AUDIT_FLUSH_INTERVAL_SECONDS
                if interval <= 0:
                    break  # batching was turned off: rows are written within their requests now
                self._wake.wait(interval)
                self._wake.clear()
                try:
                    close_old_connections()  # a connection the database dropped is replaced, as between requests
                    self.flush()
                except DatabaseError:  # a lost connection; the next round reconnects
                    logging_failure_report(kind="audit_flush", log=logger, message="AUDIT flush failed")
        finally:
            connections.close_all()  # this thread's own connections


def rows_insert(rows: list) -> None:
    """Insert `rows` (AuditRow or ActivityLog), all or none (one transaction); their ids are not read back.

    What `bulk_create` does, without its per-value machinery: on PostgreSQL one COPY (psycopg's client-side binding
    parses a multi-row INSERT's text again for every batch, with a regular expression: that cost as much as the
    rest of a tracked request); elsewhere multi-row INSERTs of the values as queued, but for the few that are not
    `_STORED_AS_IS`. Either way the log's statement-level rollup trigger runs once per batch.
    """
    connection = connections[router.db_for_write(ActivityLog)]
    quote = connection.ops.quote_name
    table, columns = quote(ActivityLog._meta.db_table), ", ".join(quote(f.column) for f in _FIELDS)
    with transaction.atomic(using=connection.alias, savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({columns}) FROM STDIN"
            # Past Django's cursor: its errors still become Django's, and where queries are logged (DEBUG, tests
            # counting them) the COPY is logged as one.
            logged = cursor.debug_sql(sql) if hasattr(cursor, "debug_sql") else contextlib.nullcontext()
            with logged, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row if isinstance(row, AuditRow) else [getattr(row, f.attname) for f in _FIELDS])
            return
        prepared = [None if isinstance(field, _STORED_AS_IS) else field for field in _FIELDS]
        values = "(" + ", ".join(["%s"] * len(_FIELDS)) + ")"
        size = connection.ops.bulk_batch_size(_FIELDS, rows)
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            params = [
                value if field is None else field.get_db_prep_save(value, connection)
                for row in batch
                for field, value in zip(prepared, (getattr(row, f.attname) for f in _FIELDS), strict=True)
            ]
            sql = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([values] * len(batch))  # noqa: S608 (names)
            cursor.execute(sql, params)


def _replace(row, exc: Exception) -> None:
    """Write an ERROR row in place of an AUDIT row the database refused: who, when and what became of it."""
    logging_failure_report(  # the row below says so: the report is the log line alone
        kind="audit_refused", log=logger, row=False, message=f"The database refused an AUDIT row: {type(exc).__name__}"
    )
    try:
        ActivityLog.objects.create(
            timestamp=row.timestamp, category=ActivityLog.Category.ERROR, event="log_write_failed",
            message=f"Could not write the AUDIT row ({row.event}): {type(exc).__name__}; replaced by this one",
            user_id=row.user_id, session_id=row.session_id, status_code=row.status_code, ip=row.ip,
            duration_ms=row.duration_ms,
        )  # fmt: skip
    except DatabaseError as again:
        logger.error("could not write the ERROR row in place of a refused AUDIT row: %s", type(again).__name__)


audit_buffer = AuditBuffer()
# At exit, stop the flusher once it has finished the batch it may be writing (a daemon thread dies mid-INSERT),
# then write the rest.
atexit.register(audit_buffer.stop)


def reset() -> None:
    """Stop the flusher and drop what is queued (tests)."""
    with audit_buffer._lock:
        audit_buffer._rows.clear()
    audit_buffer.stop()
