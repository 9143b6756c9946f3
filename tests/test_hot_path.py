"""The queries an authenticated, tracked request costs: what `make bench` measures, pinned down statement by statement.

1 SELECT (the session joined with its user, instead of SimpleJWT's user SELECT), 1 INSERT (its AUDIT row: a COPY
on PostgreSQL, counted as the INSERT here), and
1 UPDATE of the session's last-activity mirror: on every request with a per-process cache; with a shared one, the
UPDATE at most once per write interval and the SELECT only when the session's snapshot is missing or stale. The
test settings write AUDIT rows within their request (AUDIT_FLUSH_INTERVAL_SECONDS=0); batched, the INSERT leaves
the request (see activity/tests for that mode).
"""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "hot-path"}}


def statements(queries) -> list[str]:
    kinds = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    return sorted("INSERT" if k == "COPY" else k for k in kinds if k not in ("SAVEPOINT", "RELEASE"))


def me(api, access):
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert response.status_code == 200, response.content
    return queries


@pytest.mark.django_db
@override_settings(CACHES=LOCMEM)
def test_without_a_shared_clock_every_tracked_request_is_select_insert_update(api, login, user):
    access = login()["access"]
    for _ in range(3):
        queries = me(api, access)
        assert statements(queries) == ["INSERT", "SELECT", "UPDATE"], queries.captured_queries
        select = next(q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT"))
        assert "accounts_loginsession" in select and "JOIN" in select  # the user comes with the session


@pytest.mark.django_db
def test_with_a_shared_clock_the_mirror_is_written_at_most_once_per_interval(api, login, user, tmp_path):
    shared = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": tmp_path}}
    with override_settings(CACHES=shared), time_machine.travel(timezone.now(), tick=False) as traveller:
        access = login()["access"]
        assert statements(me(api, access)) == ["INSERT", "SELECT"]
        for _ in range(2):  # the session's snapshot answers the check (accounts/session_cache.py)
            assert statements(me(api, access)) == ["INSERT"]
        traveller.shift(timedelta(seconds=61))  # past the write interval, min(60 s, threshold / 20), and the snapshot's
        assert statements(me(api, access)) == ["INSERT", "SELECT", "UPDATE"]
        assert statements(me(api, access)) == ["INSERT"]
