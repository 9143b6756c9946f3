"""`python -m bench.sessions`: live sessions at scale, in Redis memory and in the cost of authenticating a request.

For each size of BENCH_SESSIONS_SIZES (default 1,000 and 100,000), a fresh PostgreSQL database (prefix
BENCH_SESSIONS_DB_PREFIX, default `ndf_bench_sessions`) and a private redis-server of its own. One process fills it:
the sessions' rows bulk-created, BENCH_SESSIONS_PER_USER of them per user (default 1: each user's generation is then
one session's alone), their Redis state made by the product's own calls, as a login and one request make
it (`session_clock_start`, `session_clock_record` of a read, `session_with_user_cached`). Then:

- Redis memory: the growth of `INFO memory` used_memory per session added, and the part of it beyond the bytes of
  the key names and values (the target: under 100 bytes); `MEMORY USAGE` of sample keys beside them. The session
  snapshots are not there: each process keeps its own (accounts/session_cache.py), whose bytes each are measured
  with tracemalloc (1,000 taken anew);
- authentication, timed: `InactivityJWTAuthentication.authenticate` of a DRF request of `GET /api/auth/me` (the
  session check, the idle decision, the clock), in a fresh process per size, started alike and warmed alike (two
  passes over the tokens of the size's first 1,000 sessions). The two processes then take BENCH_SESSIONS_ROUNDS
  turns each, alternating (the smaller first, then the larger first, and so on), so that this machine's swings in
  speed fall on both sizes alike; a turn is one pass over the 1,000 tokens and 1,000 authentications of one token,
  each timed, the clock (time_machine) moving 1 ms an authentication in every pass. The figure: the median over the
  pairs of turns of the larger size's median over the smaller's;
- authentication, counted: the instructions of the same pass of 1,000 tokens in a fresh process per size under
  valgrind's callgrind (when installed), after the same warm-up, its clock moving 1 ms an authentication. This
  counts the web process's work only (not Redis's or PostgreSQL's, which the timing covers).

The target for both: the same at the largest size as at the smallest (within 10%). The figures are printed and
written to docs/PERFORMANCE.md (section "Sessions at scale").
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
from contextlib import ExitStack

from bench.instructions import callgrind, span_counted
from bench.report import section_write
from tests.live import PROJECT_DIR, PYTHON, postgres_database, prepare_database, redis_server, run_python, server_env

SIZES = [int(size) for size in os.environ.get("BENCH_SESSIONS_SIZES", "1000,100000").split(",")]
ROUNDS = int(os.environ.get("BENCH_SESSIONS_ROUNDS", "20"))
DB_PREFIX = os.environ.get("BENCH_SESSIONS_DB_PREFIX", "ndf_bench_sessions")
OVERHEAD_TARGET = 100  # bytes per session beyond its keys and values
AUTH_TOLERANCE = 0.10  # the largest size's figure over the smallest's, at most 1 + this
TOKENS = 1000  # the first sessions', authenticated in turn
PER_USER = int(os.environ.get("BENCH_SESSIONS_PER_USER", "1"))  # sessions per user: 1, the most generations
SECTION = "Sessions at scale"

_FILL = """
import gc, json, sys, tracemalloc, uuid
from datetime import timedelta
import django
django.setup()
import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from accounts import clock, session_cache
from accounts.models import LoginSession
from accounts.policies import session_policy_fields
from accounts.session_cache import session_with_user_cached
from accounts.tokens import token_pair_for_session

size, tokens_path, PER_USER = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
prefix = settings.CACHES["default"]["KEY_PREFIX"]
User = get_user_model()
users = User.objects.bulk_create(
    (User(username=f"user{i}", password="!") for i in range(max(1, size // PER_USER))), batch_size=5000
)
now = timezone.now()
fields = session_policy_fields(user=users[0], now=now)
max_age, span = fields.pop("expires_at") - now, timedelta(hours=11)


def used_memory():
    return client.info("memory")["used_memory"]


def data_bytes(key):
    if client.type(key) == b"string":
        return len(key) + client.strlen(key)
    return len(key) + sum(len(field) + len(value) for field, value in client.hgetall(key).items())


def kept(sessions):
    for session in sessions:  # the id as a request has it: parsed from its token, an object of its own
        session_with_user_cached(uuid.UUID(str(session.pk)), user_id=session.user_id, now=now + timedelta(seconds=1))


before = used_memory()
# Started over the last 11 hours at an even pace (about 150 a minute for 100,000), each active a moment ago.
rows = []
for i in range(size):
    created = now - span + span * i / size
    rows.append(LoginSession(user=users[i % len(users)], created_at=created, expires_at=created + max_age,
                             last_activity=now, refresh_jti=f"j{i}", **fields))
LoginSession.objects.bulk_create(rows, batch_size=5000)
for session in rows:  # as a login, then one request, leave it
    clock.session_clock_start(session=session)
    clock.session_clock_record(session=session, at=now + timedelta(seconds=1), activity_type="read")
    kept([session])
grown = used_memory() - before
keys = list(client.scan_iter(f"{prefix}:*", count=5000))
sample = [
    {"key": key.decode(), "memory_usage": client.memory_usage(key, samples=0), "key_and_value": data_bytes(key),
     "fields": client.hlen(key) if client.type(key) == b"hash" else 1}
    for key in keys[:3]
]
# The process's snapshots: 1,000 taken anew, traced.
first = rows[:1000]
session_cache.reset()
gc.collect()
tracemalloc.start()
kept(first)
gc.collect()
traced = tracemalloc.get_traced_memory()[0]
tracemalloc.stop()
tokens = [
    str(token_pair_for_session(user=s.user, session_id=str(s.pk), expires_at=s.expires_at)[1]) for s in first
]
with open(tokens_path, "w") as out:
    json.dump(tokens, out)
print(json.dumps({
    "size": size, "grown": grown, "keys": len(keys), "data_bytes": sum(data_bytes(key) for key in keys),
    "sample": sample, "snapshot_bytes": traced / len(first), "snapshots_kept": session_cache.SNAPSHOTS_KEPT,
}))
"""

# A fresh process authenticating the 1,000 tokens: warmed by two passes, then a turn per line read ("time"), or
# one pass counted by callgrind between its two markers ("count").
_AUTH = """
import json, os, resource, statistics, sys, time
from datetime import UTC, datetime, timedelta
import django, time_machine
django.setup()
from django.test import RequestFactory
from rest_framework.request import Request
from accounts.authentication import InactivityJWTAuthentication

with open(sys.argv[1]) as tokens:
    bearers = [f"Bearer {token}" for token in json.load(tokens)]
requests = [Request(RequestFactory().get("/api/auth/me", HTTP_AUTHORIZATION=bearer)) for bearer in bearers]
authentication = InactivityJWTAuthentication()


# The clock moves 1 ms an authentication, as at 1,000 a second whatever this machine's pace: what happens once per
# interval (the clock's write, a snapshot's renewal) weighs alike in every process and turn, and the timed turns
# (about 2 s of this clock each) end long before a snapshot of the warm-up is a minute old.
clock = time_machine.travel(datetime.now(UTC), tick=False).start()


def authenticate(request):
    found = authentication.authenticate(request)
    clock.shift(timedelta(milliseconds=1))
    return found


def timed(each):
    timings = []
    for request in each:
        started = time.perf_counter()
        authenticate(request)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


for request in requests + requests:
    assert authenticate(request) is not None
if sys.argv[2] == "count":
    os.getloadavg()  # counting starts
    for request in requests:
        authenticate(request)
    resource.getrusage(resource.RUSAGE_SELF)  # counting ends
    sys.exit(0)
print("ready", flush=True)
for line in sys.stdin:
    print(json.dumps([timed(requests), timed(requests[:1] * len(requests))]), flush=True)
"""


def alternated(setups: list[dict]) -> list[list[list[float]]]:
    """Time the sizes' processes in alternating turns; return each size's turns ([in turn, one token] medians)."""
    processes = []
    try:
        for setup in setups:
            process = subprocess.Popen(  # noqa: S603
                [PYTHON, "-c", _AUTH, setup["tokens"], "time"], cwd=PROJECT_DIR, env=setup["env"], text=True,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            )  # fmt: skip
            processes.append(process)
        for process in processes:
            assert process.stdout.readline().strip() == "ready"
        turns = [[] for _ in processes]
        for round_ in range(ROUNDS):
            order = range(len(processes)) if round_ % 2 == 0 else reversed(range(len(processes)))
            for index in order:
                processes[index].stdin.write("turn\n")
                processes[index].stdin.flush()
                turns[index].append(json.loads(processes[index].stdout.readline()))
        return turns
    finally:
        for process in processes:
            process.stdin.close()
            process.wait(60)


def counted(setup: dict) -> float | None:
    """Instructions per authentication of the 1,000 tokens in turn, in a fresh process under callgrind."""
    if shutil.which("valgrind") is None:
        return None
    with tempfile.TemporaryDirectory(prefix="ndf-callgrind-") as workdir:
        command = [*callgrind(workdir), PYTHON, "-c", _AUTH, setup["tokens"], "count"]
        env = {**setup["env"], "PYTHONHASHSEED": "0"}
        subprocess.run(command, cwd=PROJECT_DIR, env=env, check=True, capture_output=True, timeout=3600)  # noqa: S603
        return span_counted(workdir) / min(TOKENS, setup["size"])


def _pair_ratios(small: dict, large: dict, which: int) -> list[float]:
    return [b[which] / a[which] for a, b in zip(small["turns"], large["turns"], strict=True)]


def report(results: list[dict]) -> tuple[str, bool]:
    """Return the section's Markdown, and whether every target was met."""
    small, large = results[0], results[-1]
    lines = [
        "`python -m bench.sessions` (bench/sessions.py): for each size, PostgreSQL and a private Redis filled with "
        f"sessions as a login and one read request leave them ({PER_USER} per user); then the tokens of the first "
        "1,000 sessions "
        f"authenticated in process (`InactivityJWTAuthentication.authenticate`), timed in {ROUNDS} alternating "
        "turns of a fresh process per size, and counted by callgrind in another.",
        "",
        "| sessions | Redis keys | used_memory growth per session | of which beyond key names and values "
        "| snapshot in each process | 1,000 tokens in turn: median ms | one token: median ms | instructions each |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        per_session, beyond = r["grown"] / r["size"], (r["grown"] - r["data_bytes"]) / r["size"]
        in_turn, one = (statistics.median(turn[i] for turn in r["turns"]) for i in (0, 1))
        counted_ = f"{r['instructions']:,.0f}" if r["instructions"] else "not counted (no valgrind)"
        lines.append(
            f"| {r['size']:,} | {r['keys']:,} | {per_session:.0f} B | {beyond:.0f} B | {r['snapshot_bytes']:,.0f} B "
            f"| {in_turn:.3f} | {one:.3f} | {counted_} |"
        )
    beyond = (large["grown"] - large["data_bytes"]) / large["size"]
    in_turn, one = _pair_ratios(small, large, 0), _pair_ratios(small, large, 1)
    ratios = {"1,000 tokens in turn": in_turn, "one token": one}
    figures = [statistics.median(r) for r in ratios.values()]
    if small["instructions"] and large["instructions"]:
        figures.append(large["instructions"] / small["instructions"])
    memory_met = beyond < OVERHEAD_TARGET
    auth_met = all(abs(figure - 1) <= AUTH_TOLERANCE for figure in figures)
    said = ", ".join(
        f"{name} {statistics.median(r):.2f} x (pairs {min(r):.2f}-{max(r):.2f})" for name, r in ratios.items()
    )
    if len(figures) == 3:
        said += f"; instructions {figures[2]:.3f} x"
    lines += [
        "",
        "| target | figure | |",
        "| --- | --- | --- |",
        f"| Redis overhead per session beyond its keys and values < {OVERHEAD_TARGET} B "
        f"| {beyond:.0f} B at {large['size']:,} | {'met' if memory_met else '**missed**'} |",
        f"| authentication at {large['size']:,} sessions within {AUTH_TOLERANCE:.0%} of {small['size']:,} "
        f"| {said} | {'met' if auth_met else '**missed**'} |",
        "",
        f"Each process keeps at most {large['snapshots_kept']:,} snapshots (accounts/session_cache.py "
        "SNAPSHOTS_KEPT), none older than a minute: at the size above, "
        f"{large['snapshots_kept'] * max(r['snapshot_bytes'] for r in results) / 2**20:.1f} MiB at most per process "
        "(the larger of the sizes' measures).",
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
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="ndf-bench-sessions-") as workdir:
        setups = []
        for size in SIZES:
            url = stack.enter_context(postgres_database(f"{DB_PREFIX}_{size}"))
            redis = stack.enter_context(redis_server())
            env = server_env(
                DATABASE_URL=url, REDIS_URL=redis.url, CACHE_KEY_PREFIX="ndf", ALLOWED_HOSTS="testserver",
                LOG_LEVEL="ERROR",
            )  # fmt: skip
            prepare_database(env)
            tokens = f"{workdir}/tokens-{size}.json"
            filled = json.loads(run_python(_FILL, str(size), tokens, str(PER_USER), env=env, timeout=3600))
            print(f"{size:,} sessions: filled", flush=True)
            setups.append({**filled, "env": env, "tokens": tokens})
        turns = alternated(setups)
        for setup, its_turns in zip(setups, turns, strict=True):
            setup["turns"] = its_turns
            setup["instructions"] = counted(setup)
            print(f"{setup['size']:,} sessions: timed and counted", flush=True)
    results = [{key: value for key, value in setup.items() if key not in ("env", "tokens")} for setup in setups]
    section, met = report(results)
    print(section)
    print(json.dumps(results, indent=1))
    section_write(SECTION, section)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
