"""Batched AUDIT writes: by size, by time, before a read of the log, at exit; a failed batch is kept and retried."""

import threading
import time

import pytest
from django.db import DataError, OperationalError
from django.utils import timezone

import activity.buffer as buffers
from activity.buffer import AuditBuffer, audit_buffer
from activity.models import ActivityLog

pytestmark = pytest.mark.django_db(transaction=True)  # the flusher thread writes through its own connection


@pytest.fixture
def batched(settings):
    settings.ACTIVITY = {**settings.ACTIVITY, "AUDIT_FLUSH_INTERVAL_SECONDS": 0.2, "AUDIT_BATCH_SIZE": 5}
    buffers = []
    yield buffers
    for buffer in [*buffers, audit_buffer]:
        buffer.stop()  # no flusher outlives its test (nor holds a connection to the test database)


def new_buffer(buffers):
    buffer = AuditBuffer()
    buffers.append(buffer)
    return buffer


def row(n=0):
    return ActivityLog(timestamp=timezone.now(), category="AUDIT", event="api_request", message=f"m{n}")


def database_down(rows):
    raise OperationalError("database is down")


def wait_for(count, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ActivityLog.objects.count() >= count:
            return
        time.sleep(0.02)


def test_rows_wait_for_their_batch(batched):
    buffer = new_buffer(batched)
    for n in range(3):
        buffer.add(row(n))
    assert ActivityLog.objects.count() == 0  # queued, not written within the request
    assert buffer.flush() == 3
    assert ActivityLog.objects.count() == 3


def test_flushed_by_time(batched):
    buffer = new_buffer(batched)
    buffer.add(row())
    started = time.monotonic()
    wait_for(1)
    assert ActivityLog.objects.count() == 1
    assert time.monotonic() - started < 1.0


def test_flushed_when_the_batch_is_full(batched, settings):
    settings.ACTIVITY = {**settings.ACTIVITY, "AUDIT_FLUSH_INTERVAL_SECONDS": 30}  # time alone would not do it
    buffer = new_buffer(batched)
    for n in range(5):
        buffer.add(row(n))
    wait_for(5)
    assert ActivityLog.objects.count() == 5


def test_a_failed_batch_is_kept_and_retried(batched, monkeypatch):
    buffer = new_buffer(batched)

    with monkeypatch.context() as patched:
        patched.setattr("activity.buffer.rows_insert", database_down)
        buffer.add(row(1))
        assert buffer.flush() == 0
    assert list(ActivityLog.objects.values_list("category", "event")) == [("ERROR", "log_write_failed")]
    buffer.add(row(2))
    assert buffer.flush() == 2
    assert ActivityLog.objects.filter(category="AUDIT").count() == 2


def refusing(real, bad="poison"):
    """A rows_insert that refuses any batch holding a row whose message contains `bad`, as PostgreSQL does NUL."""

    def rows_insert(rows, *args, **kwargs):
        if any(bad in r.message for r in rows):
            raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
        return real(rows, *args, **kwargs)

    return rows_insert


def test_a_bad_row_never_holds_back_good_ones(batched, monkeypatch):
    buffer = new_buffer(batched)
    monkeypatch.setattr("activity.buffer.rows_insert", refusing(buffers.rows_insert))
    for n in range(4):
        buffer.add(row(n))
    buffer.add(ActivityLog(timestamp=timezone.now(), category="AUDIT", event="api_request", message="poison"))
    for n in range(4, 8):
        buffer.add(row(n))
    assert buffer.flush() == 8
    assert sorted(ActivityLog.objects.filter(category="AUDIT").values_list("message", flat=True)) == [
        f"m{n}" for n in range(8)
    ]
    # the row that cannot be written at all is replaced by one ERROR row saying so (and nothing is kept to retry)
    assert list(ActivityLog.objects.filter(category="ERROR").values_list("event", "message")) == [
        ("log_write_failed", "Could not write the AUDIT row (api_request): DataError; replaced by this one")
    ]
    assert buffer.flush() == 0


def test_failures_of_the_logging_path_cannot_flood_the_table_or_the_file(batched, monkeypatch, caplog):
    buffer = new_buffer(batched)

    with monkeypatch.context() as patched:
        patched.setattr("activity.buffer.rows_insert", database_down)
        buffer.add(row(1))
        for _ in range(50):  # 5 s of retries at 0.1 s
            assert buffer.flush() == 0
    assert ActivityLog.objects.filter(category="ERROR").count() == 1
    assert len([r for r in caplog.records if r.name == "activity.buffer"]) == 1
    assert caplog.records[-1].exc_info is not None  # the first one keeps its traceback


def test_reading_the_log_flushes_this_process(batched, settings, user, login, client_with):
    settings.ACTIVITY = {**settings.ACTIVITY, "AUDIT_FLUSH_INTERVAL_SECONDS": 30}
    client = client_with(login()["access"])
    client.get("/api/auth/me")
    assert not ActivityLog.objects.filter(category="AUDIT").exists()
    results = client.get("/api/logs/recent?category=AUDIT").json()["results"]
    assert [r["message"] for r in results] == ["API request: GET /api/auth/me"]


def test_a_flush_waits_for_the_batch_the_flusher_is_writing(batched, monkeypatch):
    """A read of the log flushes first, and so does the exit hook: a flush that returned while the flusher was still
    inserting the rows it took showed a reader no rows (the seed script's check under load) and lost them at exit
    (a daemon thread dies with its process)."""
    buffer = new_buffer(batched)
    writing, release = threading.Event(), threading.Event()
    real = buffers.rows_insert

    def slow(rows):
        writing.set()
        release.wait(5)
        return real(rows)

    monkeypatch.setattr("activity.buffer.rows_insert", slow)
    buffer.add(row(1))
    assert writing.wait(3)  # the flusher took the row and is inserting it
    threading.Timer(0.3, release.set).start()
    started = time.monotonic()
    buffer.flush()
    assert ActivityLog.objects.count() == 1  # the flush returned only once the flusher's batch was in
    assert time.monotonic() - started < 4  # it waited for the batch, not for the 5 s guard
    buffer.stop()
