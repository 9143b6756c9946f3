"""`make bench-scale`: the stats endpoint and the admin's analytics page on a PostgreSQL log of many rows.

The PostgreSQL database bench/scale.py keeps (BENCH_SCALE_DATABASE) is migrated and, unless it already holds them,
filled with BENCH_SCALE_ROWS log rows (default 10,000,000) over the
last 30 days, 1,000 users, 200 paths, every category, in INSERT ... SELECT statements of a million rows: the rollups
are kept by the log's trigger as they would be in production, so the fill also measures what they cost to write.
Session endings (reported by accounts, not log rows) are added for every login. Then each view is timed in-process
(Django's test client: the whole middleware stack, no network), BENCH_ANALYTICS_RUNS times after one warm-up, and
the figures are printed and written to docs/PERFORMANCE.md (section "Analytics").
"""

from __future__ import annotations

import json
import os
import time

from bench.report import section_write
from tests.live import prepare_database, run_python, server_env

ROWS = int(os.environ.get("BENCH_SCALE_ROWS", "10000000"))  # the log bench/scale.py keeps
RUNS = int(os.environ.get("BENCH_ANALYTICS_RUNS", "15"))
CHUNK = 1_000_000
TARGET_MS = 500

_FILL = """
INSERT INTO activity_activitylog (
    timestamp, category, event, message, user_id, username, session_id, method, path, status_code, ip,
    user_agent, duration_ms, activity_type
)
SELECT
    now() - make_interval(secs => (i::float8 * %(span)s) / %(rows)s),
    CASE WHEN i %% 20 = 0 THEN 'SECURITY' WHEN i %% 97 = 0 THEN 'ERROR' ELSE 'AUDIT' END,
    CASE WHEN i %% 20 = 0 THEN (ARRAY['login_succeeded', 'login_failed', 'user_inactive', 'logout'])[1 + i / 20 %% 4]
         WHEN i %% 97 = 0 THEN 'server_error' ELSE 'api_request' END,
    'API request: GET /api/graphs/' || (i %% 200),
    1000 + i %% 1000, 'user' || (i %% 1000), md5((i %% 10000)::text)::uuid,
    CASE WHEN i %% 7 = 0 THEN 'POST' ELSE 'GET' END, '/api/graphs/' || (i %% 200), 200,
    ('10.0.' || (i %% 250) || '.' || (i %% 199))::inet, 'bench/1.0', 1.5,
    CASE WHEN i %% 7 = 0 THEN 'write' ELSE 'read' END
FROM generate_series(%(first)s, %(last)s) AS i
"""
# One ending per login, with a reason and a length (whole minutes), for everyone and for its user.
_SESSIONS = """
INSERT INTO activity_activityrollup (bucket, user_id, dimension, key, count)
SELECT bucket, owner, dimension, key, count(*) FROM (
    SELECT date_trunc('hour', timestamp AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket, owner, dimension,
           CASE dimension WHEN 'session_end'
                THEN (ARRAY['inactive', 'expired', 'logout', 'revoked', 'reuse', 'password_changed'])[1 + id % 6]
                ELSE (id % 240)::text END AS key
    FROM activity_activitylog, LATERAL (VALUES (0::bigint), (user_id::bigint)) AS o(owner),
         LATERAL (VALUES ('session_end'), ('session_minutes')) AS d(dimension)
    WHERE event = 'login_succeeded'
) AS ends GROUP BY 1, 2, 3, 4
"""

_MEASURE = """
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from accounts.sessions import session_start
from bench.timing import cases_time

runs = int(sys.argv[1])
User = get_user_model()
staff = User.objects.get(username="root")
user = User.objects.get(username="ada")
# 100 of the filled users (ids 1000-1099) get accounts, and a group.
User.objects.bulk_create([User(pk=1000 + n, username=f"user{n}") for n in range(100)], ignore_conflicts=True)
group, _ = Group.objects.get_or_create(name="bench")
group.user_set.set(User.objects.filter(pk__in=range(1000, 1100)))
ada_token = session_start(user=user, request=RequestFactory().get("/"))[2]
staff_token = session_start(user=staff, request=RequestFactory().get("/"))[2]
admin = Client()
admin.force_login(staff)
api = Client()
cases = {
    "GET /api/logs/stats (staff: everyone, 30 days)": (api, "/api/logs/stats", staff_token),
    "GET /api/logs/stats?user_id=1042 (staff: one user)": (api, "/api/logs/stats?user_id=1042", staff_token),
    "GET /api/logs/stats (a user: their own)": (api, "/api/logs/stats", ada_token),
    "GET /api/logs/stats (staff: everyone, 366 days)": (api, "/api/logs/stats?from=2000-01-01", staff_token),
    "admin analytics page (everyone, 30 days)": (admin, "/admin/activity/activitylog/analytics/", None),
    "admin analytics page (one user)": (admin, "/admin/activity/activitylog/analytics/?user=user42", None),
    "admin analytics page (a group of 100 users)": (
        admin, f"/admin/activity/activitylog/analytics/?group={group.pk}", None
    ),
    "admin analytics CSV (most active paths)": (admin, "/admin/activity/activitylog/analytics/?csv=top_paths", None),
}
print(json.dumps(cases_time(cases, runs)))
"""


def _sizes(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (our table names)
            for table in ("activity_activitylog", "activity_activityrollup")
        }


def fill(url: str, *, rows: int) -> float:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        for first in range(1, rows + 1, CHUNK):
            last = min(rows, first + CHUNK - 1)
            conn.execute(_FILL, {"rows": rows, "span": 30 * 86400, "first": first, "last": last})
            print(f"  {last:,} rows", flush=True)
        conn.execute(_SESSIONS)
        conn.execute("VACUUM ANALYZE activity_activitylog")
        conn.execute("VACUUM ANALYZE activity_activityrollup")
    return time.perf_counter() - started


def report(results: dict, *, rows: int, sizes: dict, database: str) -> str:
    lines = [
        f"Measured by `make bench-scale` (`BENCH_SCALE_ROWS={rows}`) on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
        f"PostgreSQL, {sizes['activity_activitylog']:,} log rows over 30 days (1,000 users, 200 paths), "
        f"{sizes['activity_activityrollup']:,} rollup rows (filled with the rollup trigger on, in database "
        f"`{database}`, kept between runs with bench/scale.py). "
        f"Each view timed in-process (Django test client, whole middleware stack), median and slowest of {RUNS} runs "
        "after one warm-up. Target: under 500 ms, whatever the size of the log.",
        "",
        "| view | median ms | slowest ms | target |",
        "| --- | ---: | ---: | --- |",
    ]
    for name, figures in results.items():
        met = "met" if figures["max"] < TARGET_MS else "**missed**"
        lines.append(f"| {name} | {figures['median']:.1f} | {figures['max']:.1f} | {met} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    from bench.scale import DATABASE, database_ready  # (bench/scale.py imports this module's fill)

    url = database_ready(name=DATABASE, rows=ROWS)  # the log bench/scale.py keeps, filled by `fill` above
    env = server_env(DATABASE_URL=url, ALLOWED_HOSTS="testserver", LOG_LEVEL="ERROR")
    prepare_database(env, users={"ada": "ada-password-1", "root": "root-password-1"}, superusers=("root",))
    sizes = _sizes(url)
    results = json.loads(run_python(_MEASURE, str(RUNS), env=env, timeout=600))
    section = report(results, rows=ROWS, sizes=sizes, database=DATABASE)
    print(section)
    section_write("Analytics", section)
    return 0 if all(r["max"] < TARGET_MS for r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
