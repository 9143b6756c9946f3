"""Instructions per request of `GET /api/auth/me` in a gunicorn worker, counted by valgrind's callgrind: part of
`make bench`.

wrk measures seconds, which move with whatever else the machine is doing. callgrind counts the instructions a process
executes, which are the same for the same code, data and environment. Each configuration of
bench/run.py (m, a, b, c) is served by gunicorn as wrk finds it (one worker of the same class and threads, the
project's gunicorn settings), under callgrind, with bench/counted.py in front of the application: one keep-alive
client sends WARM requests, then COUNT counted ones, one after the other. Everything the worker does for them is
counted, in every thread: gunicorn's HTTP parsing and access log, Django, the AUDIT rows' writes, SQLite (it runs in
the worker).

What it cannot see: the kernel's work (system calls) and that of the PostgreSQL and Redis servers, which run in
their own processes. So these ratios say what each configuration costs the web worker; wrk's rounds say what the
whole machine serves.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import tempfile
from pathlib import Path

from tests.live import start_server

WARM = int(os.environ.get("BENCH_INSTRUCTIONS_WARM", "100"))
COUNT = int(os.environ.get("BENCH_INSTRUCTIONS_COUNT", "100"))
BATCH = 50  # AUDIT rows a flush writes: a worker's share of 1,000 requests/s in the flusher's 0.1 s
PATH = "/api/auth/me"

_TOTALS = re.compile(r"^(?:summary|totals):\s+(\d+)", re.M)


def callgrind(workdir: str) -> tuple[str, ...]:
    """valgrind's callgrind, dumping its counts when the counted process calls `os.getloadavg()` (the span starts)
    and `resource.getrusage()` (it ends), into `workdir`: read the span with `span_counted`."""
    return (
        shutil.which("valgrind"), "--tool=callgrind", "--dump-before=getloadavg", "--dump-before=getrusage",
        f"--callgrind-out-file={workdir}/callgrind.out.%p", "--dump-instr=no",
    )  # fmt: skip


def span_counted(workdir: str) -> int:
    """The instructions between the markers: the second dump (the first, at getloadavg, holds all before it), of
    the one process that made one."""
    dumps = sorted(Path(workdir).glob("callgrind.out.*.2"))
    assert len(dumps) == 1, sorted(p.name for p in Path(workdir).iterdir())
    return int(_TOTALS.search(dumps[0].read_text()).group(1))


def count(env: dict, token: str, *, worker_class: str, threads: int) -> float:
    """Instructions per request of the configuration `env`, with `token`, in one gunicorn worker of `worker_class`
    (as the wrk rounds' workers) under callgrind."""
    with tempfile.TemporaryDirectory(prefix="ndf-callgrind-") as workdir:
        counted = {
            **env,
            "BENCH_WARM": str(WARM), "BENCH_COUNT": str(COUNT), "BENCH_BATCH": str(BATCH), "BENCH_PATH": PATH,
            "AUDIT_FLUSH_INTERVAL_SECONDS": "3600",  # the flusher waits for bench/counted.py's flushes
            "PYTHONHASHSEED": "0",
        }  # fmt: skip
        server = start_server(
            counted, workers=1, worker_class=worker_class, threads=threads, migrate=False, wait=False,
            app="bench.counted:application",
            under=callgrind(workdir), extra_args=("--timeout", "3600"),
        )  # fmt: skip
        with server:
            server.wait_ready(timeout=600)
            client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)  # kept alive, as wrk's
            for _ in range(WARM + COUNT + 1):  # the last one ends the count as it arrives
                client.request("GET", PATH, headers={"Authorization": f"Bearer {token}", "User-Agent": "wrk"})
                response = client.getresponse()
                body = response.read()
                assert response.status == 200, (response.status, body[:300])
            client.close()
        return span_counted(workdir) / COUNT  # the worker's (gunicorn's master makes no dump of its own)
