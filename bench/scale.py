"""`make bench-scale`: the admin's log views and `/api/logs/recent` on a PostgreSQL log of many rows.

The database BENCH_SCALE_DATABASE (default `ndf_bench_scale`) is kept between runs: a fill of 10,000,000 rows takes
minutes, so it is filled (bench/analytics.py's fill: rows over the last 30 days, 1,000 users, 200 paths, every
category, the rollup trigger on) only when its log does not hold BENCH_SCALE_ROWS rows (default 10,000,000); set
BENCH_SCALE_REFILL=1 to start again. It is migrated on every run, so new indexes are built on the rows already there.
Each view is then timed in-process (Django's test client: the whole middleware stack, no network),
BENCH_SCALE_RUNS times after one warm-up; the figures are printed and written to docs/PERFORMANCE.md (section
"Operator surfaces at scale").
"""

from __future__ import annotations

import json
import os
import time

from bench.analytics import fill
from bench.report import section_write
from tests.live import postgres_admin, postgres_url, prepare_database, run_python, server_env

ROWS = int(os.environ.get("BENCH_SCALE_ROWS", "10000000"))
RUNS = int(os.environ.get("BENCH_SCALE_RUNS", "7"))
DATABASE = os.environ.get("BENCH_SCALE_DATABASE", "ndf_bench_scale")
REFILL = os.environ.get("BENCH_SCALE_REFILL", "") == "1"
ADMIN_TARGET_MS = 300
API_TARGET_MS = 50
SECTION = "Operator surfaces at scale"

_MEASURE = """
import hashlib, json, sys, uuid
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.utils import timezone
from accounts.sessions import session_start
from activity.models import ActivityLog
from bench.timing import cases_time

runs = int(sys.argv[1])
User = get_user_model()
staff = User.objects.get(username="root")
# A user of the fill (user_id 1042, 'user42'), not staff: the API serves them their own rows.
member, _ = User.objects.get_or_create(pk=1042, defaults={"username": "user42"})
# user40 (1040) has SECURITY rows too (every 20th row of the fill, user 1000 + i % 1000): user42 has none.
member40, _ = User.objects.get_or_create(pk=1040, defaults={"username": "user40"})
staff_token = session_start(user=staff, request=RequestFactory().get("/"))[2]
member_token = session_start(user=member, request=RequestFactory().get("/"))[2]
member40_token = session_start(user=member40, request=RequestFactory().get("/"))[2]
admin = Client()
admin.force_login(staff)
api = Client()
today = timezone.localdate()
newest = ActivityLog.objects.order_by("-timestamp", "-id").values_list("pk", "timestamp").first()
local = timezone.localtime(newest[1])
log = "/admin/activity/activitylog/"
ts = "timestamp__gte={}&timestamp__lt={}".format(today, today + timezone.timedelta(days=1))
cases = {
    "admin: list, default": (admin, log, None),
    "admin: filter category=SECURITY": (admin, log + "?category__exact=SECURITY", None),
    "admin: filter event=login_failed": (admin, log + "?event=login_failed", None),
    "admin: filter status_code=200": (admin, log + "?status_code=200", None),
    "admin: filter timestamp=today": (admin, log + "?" + ts.replace("+", "%2B"), None),
    "admin: search a username (user42)": (admin, log + "?q=user42", None),
    "admin: search a path (/api/graphs/17)": (admin, log + "?q=/api/graphs/17", None),
    "admin: search an IP (10.0.42.17)": (admin, log + "?q=10.0.42.17", None),
    "admin: search a session id": (admin, log + "?q=" + str(uuid.UUID(hashlib.md5(b"42").hexdigest())), None),
    "admin: page 500": (admin, log + "?p=500", None),
    "admin: page 5,000": (admin, log + "?p=5000", None),
    "admin: date drill-down, year": (admin, log + f"?timestamp__year={local.year}", None),
    "admin: date drill-down, month": (
        admin, log + f"?timestamp__year={local.year}&timestamp__month={local.month}", None
    ),
    "admin: date drill-down, day": (
        admin, log + f"?timestamp__year={local.year}&timestamp__month={local.month}&timestamp__day={local.day}", None
    ),
    "admin: one row": (admin, log + f"{newest[0]}/change/", None),
    "API: recent (staff, no filter)": (api, "/api/logs/recent", staff_token),
    "API: recent?category=SECURITY (staff)": (api, "/api/logs/recent?category=SECURITY", staff_token),
    "API: recent?user_id=1042 (staff)": (api, "/api/logs/recent?user_id=1042", staff_token),
    "API: recent?limit=500 (staff)": (api, "/api/logs/recent?limit=500", staff_token),
    "API: recent?user_id=1042&category=SECURITY&limit=500 (staff)": (
        api, "/api/logs/recent?user_id=1042&category=SECURITY&limit=500", staff_token
    ),
    "API: recent?user_id=1040&category=SECURITY&limit=500 (staff)": (
        api, "/api/logs/recent?user_id=1040&category=SECURITY&limit=500", staff_token
    ),
    "API: recent (non-staff: own rows)": (api, "/api/logs/recent", member_token),
    "API: recent?category=SECURITY&limit=500 (non-staff)": (
        api, "/api/logs/recent?category=SECURITY&limit=500", member_token
    ),
    "API: recent?category=SECURITY&limit=500 (non-staff user40)": (
        api, "/api/logs/recent?category=SECURITY&limit=500", member40_token
    ),
}
print(json.dumps(cases_time(cases, runs)))
"""


def log_rows(url: str) -> int:
    """Return the exact number of rows in the log of the database at `url` (0 if it has no log yet)."""
    import psycopg

    with psycopg.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('activity_activitylog')").fetchone()[0]
        return conn.execute("SELECT count(*) FROM activity_activitylog").fetchone()[0] if exists else 0


def database_ready(*, name: str, rows: int) -> str:
    """Return the URL of the database `name`, created and filled with `rows` log rows unless it already holds them."""
    import psycopg

    url = postgres_url(name)
    try:
        held = -1 if REFILL else log_rows(url)
    except psycopg.OperationalError:  # no such database yet
        held = -1
    env = server_env(DATABASE_URL=url, ALLOWED_HOSTS="testserver", LOG_LEVEL="ERROR")
    if held < rows:  # the measurement adds a few rows (logins): a few more than asked is still this fill
        postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        postgres_admin(f'CREATE DATABASE "{name}"')
        prepare_database(env, users={"root": "root-password-1"}, superusers=("root",))
        print(f"Filling {rows:,} rows into {name}...", flush=True)
        print(f"  filled in {fill(url, rows=rows):.0f} s", flush=True)
    else:
        print(f"Reusing {name}: {held:,} log rows.", flush=True)
    started = time.perf_counter()
    prepare_database(env, users={"root": "root-password-1"}, superusers=("root",))  # builds new indexes, if any
    print(f"  migrated in {time.perf_counter() - started:.0f} s", flush=True)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE activity_activitylog")  # index-only scans need the visibility map
    return url


def report(results: dict, *, rows: int) -> str:
    lines = [
        f"Measured by `make bench-scale` (`BENCH_SCALE_ROWS={rows}`) on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: PostgreSQL, {rows:,} log rows over 30 days "
        "(bench/analytics.py's fill). Each view timed in-process (Django test client, whole middleware stack), "
        f"median and slowest of {RUNS} runs after one warm-up. Targets: every admin view under {ADMIN_TARGET_MS} ms, "
        f"the API under {API_TARGET_MS} ms (met: the slowest run is under the target).",
        "",
        "| view | median ms | slowest ms | target ms | |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name, figures in results.items():
        target = API_TARGET_MS if name.startswith("API") else ADMIN_TARGET_MS
        met = "met" if figures["max"] < target else "**missed**"
        lines.append(f"| {name} | {figures['median']:.1f} | {figures['max']:.1f} | {target} | {met} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    url = database_ready(name=DATABASE, rows=ROWS)
    env = server_env(DATABASE_URL=url, ALLOWED_HOSTS="testserver", LOG_LEVEL="ERROR")
    results = json.loads(run_python(_MEASURE, str(RUNS), env=env, timeout=1800))
    section = report(results, rows=ROWS)
    print(section)
    section_write(SECTION, section)
    target = {name: API_TARGET_MS if name.startswith("API") else ADMIN_TARGET_MS for name in results}
    return 0 if all(figures["max"] < target[name] for name, figures in results.items()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
