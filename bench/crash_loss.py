"""How many AUDIT rows a hard crash loses: SIGKILL the only gunicorn worker under load, count rows against 200s.

Run: .venv/bin/python -m bench.crash_loss  (SQLite in a temporary folder; about 10 s). Responses served by the
worker gunicorn starts in its place are counted too, and their rows are written at the graceful stop, so the
difference is what the killed worker had queued (and any request it was serving).
"""

import os
import signal
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

from tests.live import server_env, sqlite_url, start_server

CLIENTS = 4
USERNAME, PASSWORD = "alice", "pw-alice-123"


def main() -> None:
    database = Path(tempfile.mkdtemp(prefix="ndf-crash-")) / "db.sqlite3"
    server = start_server(server_env(DATABASE_URL=sqlite_url(database)), workers=1, users={USERNAME: PASSWORD})
    token = server.login(USERNAME, PASSWORD)["access"]
    answered = [0] * CLIENTS
    stop = threading.Event()

    def client(n: int) -> None:
        while not stop.is_set():
            try:
                answered[n] += server.call("GET", "/api/auth/me", token=token, timeout=2).status == 200
            except OSError:  # the connection the kill cut
                continue

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(3)
        worker = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()[0]
        os.kill(int(worker), signal.SIGKILL)
        time.sleep(0.3)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        server.stop()
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT COUNT(*) FROM activity_activitylog WHERE category = 'AUDIT'").fetchone()[0]
    print(f"200 answers: {sum(answered)}, AUDIT rows: {rows}, lost: {sum(answered) - rows}")


if __name__ == "__main__":
    main()
