"""`python -m bench.sessions`: live sessions at scale, in Redis memory and in the cost of authenticating a request.

A fresh PostgreSQL database (BENCH_SESSIONS_DB_PREFIX, default `ndf_bench_sessions`) and a private redis-server are
started. Sessions are added up to each size of BENCH_SESSIONS_SIZES (default 1,000 and 100,000): their rows
bulk-created, their Redis state made by the product's own calls, as a login and one request make it
(`session_clock_start`, then `session_clock_record` of a read, in one process whose per-process memory of what it
wrote keeps them all). At each size:

- Redis memory: the growth of `INFO memory` used_memory per session added, and the part of it beyond the bytes of
  the session's key names and values (the target: under 100 bytes), its request's session snapshot
  (accounts/session_cache.py, kept 60 s) included; `MEMORY USAGE` of sample keys beside them;
  BENCH_SESSIONS_PLAIN=1 keeps them the plain way, one key per session and activity type, for comparison;
- authentication: `InactivityJWTAuthentication.authenticate` on a DRF request of `GET /api/auth/me` (the session
  read, the idle decision, the clock), of one token, and of the tokens of 1,000 sessions in turn (each then records
  its activity, as traffic from many users does), the median of five rounds' medians and the 90th percentile of
  BENCH_SESSIONS_RUNS runs after a warm-up. The target: the same at the largest size as at the smallest (within
  10%, what this machine can tell).

The figures are printed and written to docs/PERFORMANCE.md (section "Sessions at scale").
"""

from __future__ import annotations

import json
import os

from bench.report import section_write
from tests.live import postgres_database, prepare_database, redis_server, run_python, server_env

SIZES = [int(size) for size in os.environ.get("BENCH_SESSIONS_SIZES", "1000,100000").split(",")]
RUNS = int(os.environ.get("BENCH_SESSIONS_RUNS", "3000"))
PLAIN = os.environ.get("BENCH_SESSIONS_PLAIN", "") not in ("", "0")  # the plain store's keys, for comparison
DB_PREFIX = os.environ.get("BENCH_SESSIONS_DB_PREFIX", "ndf_bench_sessions")
OVERHEAD_TARGET = 100  # bytes per session beyond its keys and values
AUTH_TOLERANCE = 0.10  # the largest size's median over the smallest's, at most 1 + this
SECTION = "Sessions at scale"

_MEASURE = """
import gc, json, statistics, sys, time
from datetime import timedelta
import django
django.setup()
import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.request import Request
from accounts import clock
from accounts.authentication import InactivityJWTAuthentication
from accounts.models import LoginSession
from accounts.policies import session_policy_fields
from accounts.session_cache import session_with_user_cached
from accounts.tokens import token_pair_for_session

sizes, runs, plain = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
if plain:  # one key per session and activity type, as before the hashes (accounts/clock_store.py)
    from accounts import clock_store
    clock_store._hash_write, clock_store._hash_read = clock_store._plain_write, clock_store._plain_read
client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
prefix = settings.CACHES["default"]["KEY_PREFIX"]
User = get_user_model()
users = User.objects.bulk_create(User(username=f"user{i}", password="!") for i in range(1000))
now = timezone.now()
fields = session_policy_fields(user=users[0], now=now)
max_age, span = fields.pop("expires_at") - now, timedelta(hours=11)


def add_sessions(count, first):
    # Started over the last 11 hours at an even pace (about 150 a minute for 100,000), each active a moment ago.
    rows = []
    for i in range(first, first + count):
        created = now - span + span * i / sizes[-1]
        rows.append(LoginSession(user=users[i % len(users)], created_at=created, expires_at=created + max_age,
                                 last_activity=now, refresh_jti=f"j{i}", **fields))
    LoginSession.objects.bulk_create(rows, batch_size=5000)
    for session in rows:  # as a login, then one request, leave it: the clock, and the request's session snapshot
        clock.session_clock_start(session=session)
        clock.session_clock_record(session=session, at=now + timedelta(seconds=1), activity_type="read")
        session_with_user_cached(session.pk, user_id=session.user_id, now=now + timedelta(seconds=1))
    return rows


def used_memory():
    return client.info("memory")["used_memory"]


def data_bytes(key):
    if client.type(key) == b"string":
        return len(key) + client.strlen(key)
    return len(key) + sum(len(field) + len(value) for field, value in client.hgetall(key).items())


def timed(requests):
    # Warm-up: every token once (its session's column write of the minute, the process's memory of it), and more.
    for request in requests + requests[:200]:
        assert InactivityJWTAuthentication().authenticate(request) is not None
    # Five rounds a second apart, and the median of their medians: one busy moment of this shared machine moves
    # one round, not the figure.
    timings, medians = [], []
    for _ in range(5):
        time.sleep(1)
        round_ = []
        for i in range(runs // 5):
            request = requests[i % len(requests)]
            started = time.perf_counter()
            InactivityJWTAuthentication().authenticate(request)
            round_.append((time.perf_counter() - started) * 1000)
        medians.append(statistics.median(round_))
        timings += round_
    timings.sort()
    return statistics.median(medians), timings[int(len(timings) * 0.9)]


def request_for(session):
    _, access = token_pair_for_session(user=session.user, session_id=str(session.pk), expires_at=session.expires_at)
    return Request(RequestFactory().get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {access}"))


first_rows, results, done = None, [], 0
for size in sizes:
    before = used_memory()
    rows = add_sessions(size - done, done)
    grown, added, done = used_memory() - before, size - done, size
    first_rows = first_rows or rows[:1000]
    del rows  # a process serving 100,000 sessions does not hold them all: nor does this one while it times
    gc.collect()
    keys = list(client.scan_iter(f"{prefix}:*", count=5000))
    data = sum(data_bytes(key) for key in keys)
    sample = [
        {"key": key.decode(), "memory_usage": client.memory_usage(key, samples=0), "key_and_value": data_bytes(key),
         "fields": client.hlen(key) if client.type(key) == b"hash" else 1}
        for key in keys[:3]
    ]
    one = timed([request_for(first_rows[0])])
    many = timed([request_for(session) for session in first_rows])
    results.append({
        "size": size, "added": added, "grown": grown, "keys": len(keys), "data_bytes": data,
        "per_session": grown / added, "data_per_session": data / size, "sample": sample,
        "auth_median_ms": one[0], "auth_p90_ms": one[1], "auth_many_median_ms": many[0], "auth_many_p90_ms": many[1],
        "memo_entries": len(clock._recorded) + len(clock._written),
    })
print(json.dumps(results))
"""


def report(results: list[dict]) -> tuple[str, bool]:
    """Return the section's Markdown, and whether every target was met."""
    small, large = results[0], results[-1]
    ratio = large["auth_median_ms"] / small["auth_median_ms"]
    ratio_many = large["auth_many_median_ms"] / small["auth_many_median_ms"]
    lines = [
        "`python -m bench.sessions` (bench/sessions.py): PostgreSQL and a private Redis; sessions added up to each "
        "size as a login and one read request leave them (`session_clock_start`, `session_clock_record`), then one "
        f"token authenticated in process (`InactivityJWTAuthentication.authenticate`, {RUNS:,} runs)"
        + (" with BENCH_SESSIONS_PLAIN=1: one key per session and activity type." if PLAIN else "."),
        "",
        "| sessions | Redis keys | used_memory growth per session added | of which beyond key names and values "
        "| authenticate one token: median ms | p90 ms | 1,000 sessions' tokens in turn: median ms | p90 ms |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        beyond = r["per_session"] - r["data_per_session"]
        lines.append(
            f"| {r['size']:,} | {r['keys']:,} | {r['per_session']:.0f} B | {beyond:.0f} B "
            f"| {r['auth_median_ms']:.3f} | {r['auth_p90_ms']:.3f} "
            f"| {r['auth_many_median_ms']:.3f} | {r['auth_many_p90_ms']:.3f} |"
        )
    beyond = large["per_session"] - large["data_per_session"]
    memory_met, auth_met = beyond < OVERHEAD_TARGET, max(ratio, ratio_many) <= 1 + AUTH_TOLERANCE
    lines += [
        "",
        "| target | figure | |",
        "| --- | --- | --- |",
        f"| Redis overhead per session beyond its keys and values < {OVERHEAD_TARGET} B "
        f"| {beyond:.0f} B at {large['size']:,} | {'met' if memory_met else '**missed**'} |",
        f"| authentication at {large['size']:,} sessions within {AUTH_TOLERANCE:.0%} of {small['size']:,} "
        f"| one token {ratio:.2f} x, 1,000 in turn {ratio_many:.2f} x | {'met' if auth_met else '**missed**'}"
        + (" (faster at the larger size: this machine's noise)" if min(ratio, ratio_many) < 1 - AUTH_TOLERANCE else "")
        + " |",
        "",
        "Sample keys (`MEMORY USAGE` against the bytes of the key name and value):",
        "",
    ]
    lines += [
        f"- `{s['key']}` ({s['fields']} field(s)): {s['memory_usage']} B for {s['key_and_value']} B"
        for s in large["sample"]
    ]
    return "\n".join(lines) + "\n", memory_met and auth_met


def main() -> int:
    with postgres_database(DB_PREFIX) as url, redis_server() as redis:
        env = server_env(
            DATABASE_URL=url, REDIS_URL=redis.url, CACHE_KEY_PREFIX="ndf", ALLOWED_HOSTS="testserver", LOG_LEVEL="ERROR"
        )
        prepare_database(env)
        args = json.dumps(SIZES), str(RUNS), "1" if PLAIN else "0"
        results = json.loads(run_python(_MEASURE, *args, env=env, timeout=3600))
    section, met = report(results)
    print(section)
    print(json.dumps(results, indent=1))
    section_write(SECTION, section)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
