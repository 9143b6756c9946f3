"""Instructions per request of `GET /api/auth/me`, counted by valgrind's callgrind: part of `make bench`.

wrk measures seconds, and this machine's CPU capacity flips between two levels about 2x apart (see bench/run.py):
three runs of wrk rounds do not agree to ±0.05. callgrind counts the instructions a process executes, which are the
same for the same code, data and environment whatever else the machine is doing. Each configuration of
bench/run.py (m, a, b, c) is served in one process under callgrind: Django's WSGI handler is called directly with
the same request wrk sends (no HTTP server, so gunicorn's own work, the same for every configuration, is left
out), WARM requests first, then COUNT requests counted. The counted span runs from a call of `getloadavg` to a call of
`getrusage` (valgrind's --zero-before and --dump-before): every thread of the process is counted in it, the AUDIT
flusher's included, and the AUDIT rows queued by the counted requests are flushed inside it.

What it cannot see: the work of the PostgreSQL and Redis servers, which run in their own processes (SQLite runs
inside the process and is counted). So the instruction ratios say what each configuration costs the web worker;
wrk's rounds say what the whole machine serves.
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine

from tests.live import PROJECT_DIR, PYTHON

WARM = int(os.environ.get("BENCH_INSTRUCTIONS_WARM", "100"))
COUNT = int(os.environ.get("BENCH_INSTRUCTIONS_COUNT", "100"))
PATH = "/api/auth/me"
BATCH = 50  # AUDIT rows a flush writes: a worker's share of 1,000 requests/s in the flusher's 0.1 s
# Passed to the counted process: its flusher waits for the harness's flushes (BATCH).
ENV = {"AUDIT_FLUSH_INTERVAL_SECONDS": "3600", "PYTHONHASHSEED": "0"}


def _environ(token: str | None, method: str = "GET", path: str = PATH, body: bytes = b"") -> dict:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": "wrk",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if body:
        environ.update(CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(body)))
    return environ


def _call(handler, environ: dict) -> tuple[int, bytes]:
    status = []
    response = handler(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        body = b"".join(response)
    finally:
        response.close()
    return int(status[0].split()[0]), body


def _flush() -> None:
    from django.apps import apps

    if apps.is_installed("activity"):
        from activity.buffer import audit_buffer

        audit_buffer.flush()


def worker(mode: str) -> None:
    """In the configuration's own process: `login` prints an access token, `count` serves the counted requests."""
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    if mode == "login":
        body = json.dumps({"username": os.environ["BENCH_USERNAME"], "password": os.environ["BENCH_PASSWORD"]})
        status, answer = _call(handler, _environ(None, "POST", "/api/auth/token", body.encode()))
        assert status == 200, (status, answer[:300])
        print(json.loads(answer)["access"])
        return
    token = os.environ["BENCH_TOKEN"]
    # The clock moves a millisecond a request, as it would at 1,000 requests/s, not at valgrind's pace: what
    # happens once per interval (the clock's write, the AUDIT flush, the prune's check) happens as often per
    # request as under wrk. The AUDIT rows are flushed every BATCH requests here, the flusher kept idle.
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        for n in range(WARM + COUNT):
            if n == WARM:
                _flush()
                os.getloadavg()  # --zero-before=getloadavg: counting starts here
            elif n % BATCH == 0:
                _flush()
            clock.shift(timedelta(milliseconds=1))
            status, answer = _call(handler, _environ(token))
            assert status == 200, (status, answer[:300])
        _flush()
    resource.getrusage(resource.RUSAGE_SELF)  # --dump-before=getrusage: counting ends here


_TOTALS = re.compile(r"^(?:summary|totals):\s+(\d+)", re.M)


def count(env: dict, token: str) -> float:
    """Instructions per request of the configuration `env`, with `token`, under callgrind."""
    valgrind = shutil.which("valgrind")
    with tempfile.TemporaryDirectory(prefix="ndf-callgrind-") as workdir:
        out = Path(workdir) / "callgrind.out"
        command = [
            valgrind, "--tool=callgrind", "--zero-before=getloadavg", "--dump-before=getrusage",
            f"--callgrind-out-file={out}.%p", "--dump-instr=no", "--compress-strings=no",
            PYTHON, "-m", "bench.instructions", "count",
        ]  # fmt: skip
        done = subprocess.run(  # noqa: S603
            command, cwd=PROJECT_DIR, env={**env, **ENV, "BENCH_TOKEN": token},
            capture_output=True, text=True, timeout=1800,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"callgrind run failed ({done.returncode}):\n{done.stderr[-4000:]}")
        # The dump at getrusage (numbered .1) holds the counted span alone; the final one, what followed it.
        dumps = sorted(Path(workdir).glob("callgrind.out.*.1"))
        assert len(dumps) == 1, sorted(p.name for p in Path(workdir).iterdir())
        return int(_TOTALS.search(dumps[0].read_text()).group(1)) / COUNT


def login(env: dict) -> str:
    done = subprocess.run(  # noqa: S603
        [PYTHON, "-m", "bench.instructions", "login"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip
    return done.stdout.strip()


if __name__ == "__main__":
    worker(sys.argv[1])
