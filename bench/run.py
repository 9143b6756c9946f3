"""`make bench`: requests/s and latency of `GET /api/auth/me` under gunicorn, driven by wrk, in one run.

Configurations, per store (SQLite alone; PostgreSQL + Redis):
  (a) stock SimpleJWT `JWTAuthentication`, no activity tracking
      (ndfstudio/settings_bench.py): the baseline;
  (b) ndfstudio's full path: session check, inactivity clock, one AUDIT row per request;
  (c) (b) on a database whose activity log already holds 1,000,000 rows.
Every configuration has its own gunicorn (2 gthread workers, as `make run`), all started up front and warmed up;
the rounds then alternate a, b, c, a, b, c... so that drift of the machine hits every configuration alike. Then
1,000,000 expired rows are pruned on SQLite (`manage.py prune_activity_logs`) while wrk keeps driving (b).

The table is printed and written to docs/PERFORMANCE.md. Knobs (environment): BENCH_ROUNDS (15), BENCH_DURATION
(seconds per run, 3), BENCH_CONNECTIONS (8), BENCH_ROWS (1000000), BENCH_STORES ("sqlite,postgres").
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.fill import fill_postgres, fill_sqlite
from tests.live import (
    PROJECT_DIR,
    PYTHON,
    postgres_admin,
    postgres_available,
    postgres_url,
    prepare_database,
    redis_available,
    redis_url,
    server_env,
    sqlite_url,
    start_server,
)

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
DURATION = int(os.environ.get("BENCH_DURATION", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
STORES = [s.strip() for s in os.environ.get("BENCH_STORES", "sqlite,postgres").split(",") if s.strip()]
WORKERS = 2
# sync workers take one request at a time, so the two share the load evenly. With gthread, wrk's keep-alive
# connections are split between the workers at random when they connect (often all on one), which made runs of
# one configuration vary by 2x.
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
REDIS_DB = 3
PATH = "/api/auth/me"
USERNAME, PASSWORD = "bench", "bench-password-1234"
REPORT = PROJECT_DIR / "docs" / "PERFORMANCE.md"

# Nothing may expire mid-run; the log level is the default one, so the log file line per request is paid too.
COMMON_ENV = {
    "INACTIVITY_THRESHOLD_MINUTES": "600",
    "MAX_TOKEN_LIFETIME_MINUTES": "600",
    "SESSION_MAX_HOURS": "24",
    "LOG_LEVEL": "INFO",
}


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx answers and socket errors (timeouts included)
    non_2xx: int = 0
    timeouts: int = 0
    max_ms: float = 0.0


@dataclass
class Config:
    key: str  # "a", "b", "c"
    label: str
    store: str
    env: dict
    server: object = None
    token: str = ""
    runs: list[Run] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(run, attr) for run in self.runs)

    def ratio(self, other: Config, attr: str = "rps") -> float:
        """The median over rounds of this configuration's figure divided by `other`'s in the same round.

        Runs of one round are seconds apart; other load on a shared machine comes and goes over longer spans,
        so ratios within a round are steadier than ratios of medians.
        """
        return statistics.median(
            getattr(mine, attr) / getattr(theirs, attr) for mine, theirs in zip(self.runs, other.runs, strict=True)
        )


# --- wrk ----------------------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, token: str, *, duration: float, connections: int = CONNECTIONS, timeout: int = 2) -> Run:
    """Drive GET `url` with one wrk thread and `connections` keep-alive connections; parse `--latency`.

    A request slower than `timeout` seconds counts as a socket timeout (wrk's default is 2 s).
    """
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        f"--timeout={timeout}s",
        "--latency",
        "-H",
        f"Authorization: Bearer {token}",
        url,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    max_ms = _ms(re.search(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)", out, re.M).group(1))
    non_2xx = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    counts = [int(n) for n in socket_errors.groups()] if socket_errors else [0, 0, 0, 0]
    return Run(rps, p50, p99, non_2xx + sum(counts), non_2xx=non_2xx, timeouts=counts[3], max_ms=max_ms)


# --- stores -------------------------------------------------------------------------------------------------


@contextmanager
def sqlite_store(workdir: Path):
    main, filled = workdir / "main.sqlite3", workdir / "filled.sqlite3"
    base = server_env(DATABASE_URL=sqlite_url(main), **COMMON_ENV)
    prepare_database(base, users={USERNAME: PASSWORD})
    shutil.copy(main, filled)
    seconds = fill_sqlite(str(filled), rows=ROWS, age_days=0.01)
    os.sync()  # the fill's writes reach the disk now, not during the measured rounds
    print(f"  SQLite: {ROWS:,} rows pre-filled in {seconds:.1f} s", flush=True)
    yield {
        "fill_seconds": seconds,
        "a": {**base, "DJANGO_SETTINGS_MODULE": "ndfstudio.settings_bench"},
        "b": base,
        "c": {**base, "DATABASE_URL": sqlite_url(filled)},
    }


@contextmanager
def postgres_store(workdir: Path):
    suffix = uuid.uuid4().hex[:8]
    main, filled = f"ndf_bench_{suffix}", f"ndf_bench_{suffix}_filled"
    prefix = f"ndf-bench-{suffix}"
    for name in (main, filled):
        postgres_admin(f'CREATE DATABASE "{name}"')
    try:
        base = server_env(
            DATABASE_URL=postgres_url(main), REDIS_URL=redis_url(REDIS_DB), CACHE_KEY_PREFIX=prefix, **COMMON_ENV
        )
        prepare_database(base, users={USERNAME: PASSWORD})
        filled_env = {**base, "DATABASE_URL": postgres_url(filled)}
        prepare_database(filled_env, users={USERNAME: PASSWORD})
        seconds = fill_postgres(postgres_url(filled), rows=ROWS, age_days=0.01)
        postgres_admin("CHECKPOINT")  # the fill's dirty buffers are written now, not during the measured rounds
        os.sync()
        print(f"  PostgreSQL: {ROWS:,} rows pre-filled in {seconds:.1f} s", flush=True)
        stock = {**base, "DJANGO_SETTINGS_MODULE": "ndfstudio.settings_bench"}
        yield {"fill_seconds": seconds, "a": stock, "b": base, "c": filled_env}
    finally:
        for name in (main, filled):
            postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        import redis

        with redis.Redis.from_url(redis_url(REDIS_DB)) as client:
            for key in client.scan_iter(f"{prefix}:*"):
                client.delete(key)


STORE_LABELS = {"sqlite": "SQLite, LocMem cache", "postgres": "PostgreSQL + Redis"}
CONFIG_LABELS = {
    "a": "(a) stock SimpleJWT, no tracking",
    "b": "(b) ndfstudio full path + audit row",
    "c": f"(c) = (b) with {ROWS:,} log rows",
}


def bench_store(store: str, workdir: Path) -> tuple[list[Config], float]:
    opener = sqlite_store if store == "sqlite" else postgres_store
    with opener(workdir) as envs, ExitStack() as stack:
        configs = [Config(key, CONFIG_LABELS[key], store, envs[key]) for key in ("a", "b", "c")]
        for config in configs:
            config.server = stack.enter_context(
                start_server(config.env, workers=WORKERS, worker_class=WORKER_CLASS, migrate=False)
            )
            config.token = config.server.login(USERNAME, PASSWORD)["access"]
            wrk(config.server.url + PATH, config.token, duration=3)  # warm up: connections, caches, first prune
        for round_no in range(1, ROUNDS + 1):
            # a, b, c then c, b, a: a drift of the machine within a round weighs on every configuration alike.
            # Many short rounds: this machine's capacity flips between two levels (about 2x apart) every few tens
            # of seconds, so only runs a few seconds apart are comparable; each ratio is a median of per-round ones.
            for config in configs if round_no % 2 else configs[::-1]:
                run = wrk(config.server.url + PATH, config.token, duration=DURATION)
                config.runs.append(run)
                print(
                    f"  {store} round {round_no} {config.key}: {run.rps:8.1f} req/s  p50 {run.p50_ms:6.2f} ms  "
                    f"p99 {run.p99_ms:6.2f} ms  errors {run.errors}",
                    flush=True,
                )
        return configs, envs["fill_seconds"]


# --- pruning under load -------------------------------------------------------------------------------------


@dataclass
class PruneResult:
    rows: int
    fill_seconds: float
    prune_seconds: float
    deleted: str
    served: int  # AUDIT rows written by the server while the prune ran
    wrk: Run
    wrk_seconds: float


PRUNE_COMMAND = (PYTHON, "manage.py", "prune_activity_logs")


def bench_prune(workdir: Path, *, command=PRUNE_COMMAND, wrk_seconds: float = 75.0) -> PruneResult:
    """Prune ROWS expired rows on SQLite with `manage.py prune_activity_logs` while wrk drives the full path."""
    path = workdir / "prune.sqlite3"
    env = server_env(DATABASE_URL=sqlite_url(path), **COMMON_ENV)
    with start_server(env, workers=WORKERS, worker_class=WORKER_CLASS, users={USERNAME: PASSWORD}) as server:
        token = server.login(USERNAME, PASSWORD)["access"]
        # Each worker prunes once when its first requests arrive (automatic pruning, hourly per process): let both
        # do it now, on nothing, so that the prune measured below is the only one.
        deadline = time.monotonic() + 30
        while server.log().count("pruned 0 activity rows") < WORKERS and time.monotonic() < deadline:
            wrk(server.url + PATH, token, duration=1)
        fill_seconds = fill_sqlite(str(path), rows=ROWS, age_days=100)
        os.sync()
        print(f"  SQLite: {ROWS:,} expired rows filled in {fill_seconds:.1f} s; pruning under load...", flush=True)

        result: dict = {}
        driver = threading.Thread(
            # A generous timeout: a request kept waiting by the prune shows in the latencies, not as an error.
            target=lambda: result.update(run=wrk(server.url + PATH, token, duration=wrk_seconds, timeout=30)),
            daemon=True,
        )
        driver.start()
        time.sleep(3)
        started_at = datetime.now(UTC)
        started = time.perf_counter()
        done = subprocess.run(  # noqa: S603
            list(command),
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        prune_seconds = time.perf_counter() - started
        ended_at = datetime.now(UTC)
        driver.join()
        conn = sqlite3.connect(path, timeout=60)
        try:
            fmt = "%Y-%m-%d %H:%M:%S.%f"
            served = conn.execute(
                "SELECT count(*) FROM activity_activitylog WHERE event = 'api_request' AND timestamp BETWEEN ? AND ?",
                (started_at.strftime(fmt), ended_at.strftime(fmt)),
            ).fetchone()[0]
        finally:
            conn.close()
        return PruneResult(
            rows=ROWS,
            fill_seconds=fill_seconds,
            prune_seconds=prune_seconds,
            deleted=done.stdout.strip(),
            served=served,
            wrk=result["run"],
            wrk_seconds=wrk_seconds,
        )


# --- the report ---------------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(results: dict[str, list[Config]], fills: dict[str, float], prune: PruneResult | None) -> str:
    lines = [
        "| store | configuration | req/s | p50 ms | p99 ms | req/s ÷ (a) | p99 ÷ (a) | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    targets = []
    for store, configs in results.items():
        a, b, c = configs
        for config in configs:
            lines.append(
                f"| {STORE_LABELS[store]} | {config.label} | {config.median('rps'):.0f} | {config.median('p50_ms'):.2f}"
                f" | {config.median('p99_ms'):.2f} | {config.ratio(a):.2f}"
                f" | {config.ratio(a, 'p99_ms'):.2f} | {sum(r.errors for r in config.runs)} |"
            )
        floor = 0.75 if store == "sqlite" else 0.85
        ratio_b, p99_b = b.ratio(a), b.ratio(a, "p99_ms")
        ratio_c, p99_c = c.ratio(b), c.ratio(a, "p99_ms")
        targets += [
            f"| {STORE_LABELS[store]} | (b) ≥ {floor} × (a) req/s | {ratio_b:.2f} | {verdict(ratio_b >= floor)} |",
            f"| {STORE_LABELS[store]} | (b) p99 ≤ 1.3 × (a) | {p99_b:.2f} | {verdict(p99_b <= 1.3)} |",
            f"| {STORE_LABELS[store]} | (c) ≥ 0.95 × (b) req/s | {ratio_c:.2f} | {verdict(ratio_c >= 0.95)} |",
            f"| {STORE_LABELS[store]} | (c) p99 ≤ 1.3 × (a) | {p99_c:.2f} | {verdict(p99_c <= 1.3)} |",
        ]
    rounds = []
    for store, configs in results.items():
        for config in configs:
            per_round = ", ".join(f"{run.rps:.0f}" for run in config.runs)
            rounds.append(f"- {STORE_LABELS[store]} {config.label}: {per_round} req/s")
    prune_lines = []
    if prune is not None:
        during = prune.served / prune.prune_seconds if prune.prune_seconds else 0
        targets.append(
            f"| SQLite | prune {prune.rows:,} expired rows < 60 s under load | {prune.prune_seconds:.1f} s "
            f"| {verdict(prune.prune_seconds < 60)} |"
        )
        targets.append(
            f"| SQLite | no failed request during the prune | {prune.wrk.non_2xx} non-2xx, "
            f"{prune.wrk.errors - prune.wrk.non_2xx} socket errors | {verdict(prune.wrk.errors == 0)} |"
        )
        baseline = ""
        if "sqlite" in results:
            plain_b = results["sqlite"][1].median("rps")
            baseline = f", {during / plain_b:.0%} of (b)'s {plain_b:.0f} req/s without a prune"
        prune_lines = [
            "",
            "## Pruning under load (SQLite)",
            "",
            f"- {prune.rows:,} rows older than the retention period (filled in {prune.fill_seconds:.1f} s), deleted "
            f"by `manage.py prune_activity_logs` (`activity_log_prune`, batches of 5,000) in "
            f"**{prune.prune_seconds:.1f} s** (`{prune.deleted}`).",
            f"- Meanwhile wrk (`--timeout 30s`) drove `GET {PATH}` (full path) on the same file: **{prune.served:,} "
            f"requests served during the prune** (counted by their AUDIT rows: {during:.0f} req/s{baseline}).",
            f"- wrk over its whole {prune.wrk_seconds:.0f} s window (the prune inside it): {prune.wrk.rps:.0f} req/s, "
            f"p50 {prune.wrk.p50_ms:.2f} ms, p99 {prune.wrk.p99_ms:.2f} ms, max {prune.wrk.max_ms:.0f} ms; "
            f"{prune.wrk.non_2xx} non-2xx answers, {prune.wrk.timeouts} requests over 30 s, "
            f"{prune.wrk.errors - prune.wrk.non_2xx - prune.wrk.timeouts} other socket errors.",
        ]
    fill_text = ", ".join(f"{STORE_LABELS[s]} {sec:.1f} s" for s, sec in fills.items())
    return "\n".join(
        [
            "# Performance",
            "",
            f"Measured by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}.",
            "",
            f"Authenticated, tracked `GET {PATH}` under gunicorn ({WORKERS} `{WORKER_CLASS}` workers; sync: one "
            "request at a time each, so both share the load evenly, whereas gthread workers split wrk's keep-alive "
            f"connections at random and made runs vary by 2×),\n"
            f"driven by `wrk -t1 -c{CONNECTIONS} -d{DURATION}s --latency` with one bearer token per "
            f"configuration (one login each). Medians of {ROUNDS} rounds; rounds run (a), (b), (c) then (c), (b), (a); "
            "each ratio is the median of the per-round ratios.",
            "",
            *lines,
            "",
            "## Targets",
            "",
            "| store | target | measured | |",
            "| --- | --- | ---: | --- |",
            *targets,
            *prune_lines,
            "",
            "## Method",
            "",
            "- (a) is stock SimpleJWT: `DJANGO_SETTINGS_MODULE=ndfstudio.settings_bench` (a settings module used "
            "only by the benchmark) puts `rest_framework_simplejwt.authentication.JWTAuthentication` with plain "
            "`AccessToken`s in place of ours and removes `ActivityMiddleware`: per request, one user SELECT. Its "
            "tokens still come from `/api/auth/token/`.",
            "- (b) is the product as configured by default: one SELECT of the session joined with its user, the "
            "inactivity decision, its AUDIT row (queued, and inserted by a background thread in multi-row batches "
            "at least every `AUDIT_FLUSH_INTERVAL_SECONDS`, default 0.1 s: `activity/buffer.py`), one log-file "
            "line, and the last-activity clock, recorded at most once per clock resolution (min(1 s, threshold / "
            "20)) per process and session: on SQLite (LocMem, never trusted) as an UPDATE of the session row; with "
            "Redis as a Redis SET, the row following at most once per write interval. One token hammering "
            "`/api/auth/me` is the best case for that resolution; every request still pays the session lookup and "
            "its AUDIT row.",
            f"- (c) is (b) on a database pre-filled with {ROWS:,} log rows of 1,000 users and 10,000 sessions over "
            f"30 days, all within retention (filled in SQL: a recursive CTE on SQLite, `generate_series` on "
            f"PostgreSQL; {fill_text}).",
            "- Each configuration has its own gunicorn, all running during the whole store's rounds, each warmed "
            "up by a 3 s wrk run; only one is driven at a time. The machine is shared by wrk, gunicorn and the "
            "database, so absolute figures are only comparable within one run; the ratios are what the targets "
            "are about.",
            f"- Logging at the default level (INFO): the AUDIT line goes to the rotating file too. Inactivity "
            f"threshold and token lifetime are {COMMON_ENV['INACTIVITY_THRESHOLD_MINUTES']} minutes, so nothing "
            "expires mid-run.",
            "",
            "Per-round requests/s:",
            "",
            *rounds,
            "",
        ]
    )


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    stores = list(STORES)
    if "postgres" in stores and not (postgres_available() and redis_available()):
        print("PostgreSQL or Redis not reachable: benchmarking SQLite only", file=sys.stderr)
        stores.remove("postgres")
    started = time.monotonic()
    results, fills = {}, {}
    with tempfile.TemporaryDirectory(prefix="ndf-bench-") as tmp:
        workdir = Path(tmp)
        for store in stores:
            print(f"{STORE_LABELS[store]}:", flush=True)
            results[store], fills[store] = bench_store(store, workdir)
        prune = None
        if "sqlite" in stores:
            print("Pruning under load:", flush=True)
            prune = bench_prune(workdir)
    text = report(results, fills, prune)
    text += f"\nWhole run: {time.monotonic() - started:.0f} s.\n"
    REPORT.parent.mkdir(exist_ok=True)
    # The sections bench/analytics.py and bench/scale.py write are theirs: kept as they are.
    others = r"\n## (?:Analytics|Operator surfaces at scale)\n.*?(?=\n## |\Z)"
    kept = "".join(re.findall(others, REPORT.read_text(), flags=re.S)) if REPORT.exists() else ""
    REPORT.write_text(text.rstrip("\n") + "\n" + kept if kept else text)
    print()
    print(text)
    print(f"Written to {REPORT.relative_to(PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
