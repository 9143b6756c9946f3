"""The rotating log file stays correct with several processes writing to it (gunicorn workers)."""

import logging
import multiprocessing
import threading
from logging.config import DictConfigurator

from django.conf import settings

WRITERS, LINES, MAX_BYTES = 4, 1500, 20_000


def project_file_handler(path) -> logging.Handler:
    """Build the handler settings.LOGGING calls "file", on `path`, small enough to rotate often."""
    config = {**settings.LOGGING["handlers"]["file"], "filename": str(path), "maxBytes": MAX_BYTES}
    config.pop("formatter")
    config["backupCount"] = 100
    return DictConfigurator({}).configure_handler(config)


def write_lines(path, writer):
    handler = project_file_handler(path)  # each process opens the file itself, as each worker does
    handler.setFormatter(logging.Formatter("%(message)s"))
    for n in range(LINES):
        handler.emit(logging.LogRecord("x", logging.INFO, __file__, 1, "w%d line %05d %s", (writer, n, "." * 40), None))
    handler.close()


def run_writers(tmp_path, target) -> list:
    """Run WRITERS processes of `target(path, writer)` on one log file; return its files, the current one last."""
    path = tmp_path / "ndfstudio.log"
    context = multiprocessing.get_context("fork")  # each opens its own handler after the fork, as workers do
    processes = [context.Process(target=target, args=(path, w)) for w in range(WRITERS)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    return sorted(tmp_path.glob("ndfstudio.log*"))


def test_rotation_is_correct_with_several_processes(tmp_path):
    files = run_writers(tmp_path, write_lines)
    lines = [line for f in files for line in f.read_text().splitlines()]
    assert len(lines) == WRITERS * LINES  # nothing lost
    assert len(set(lines)) == WRITERS * LINES  # nothing written twice
    line_size = len(lines[0]) + 1
    backups = [f for f in files if f.name != "ndfstudio.log"]
    assert len(backups) >= WRITERS * LINES * line_size // MAX_BYTES - 1
    for backup in backups:  # every rotated file was full: none rotated early
        assert MAX_BYTES - line_size <= backup.stat().st_size <= MAX_BYTES, backup.name


def handle_lines(path, writer, threads=4):
    """As write_lines, through `handle` (the logger's way) from several threads at once, as a gthread worker does."""
    handler = project_file_handler(path)
    handler.setFormatter(logging.Formatter("%(message)s"))

    def run(thread):
        for n in range(LINES // threads):
            args = (writer, thread, n, "." * 36)
            handler.handle(logging.LogRecord("x", logging.INFO, __file__, 1, "w%d t%d line %05d %s", args, None))

    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    handler.close()


def test_threads_batch_their_lines_and_rotation_stays_correct(tmp_path):
    files = run_writers(tmp_path, handle_lines)
    lines = [line for f in files for line in f.read_text().splitlines()]
    assert len(lines) == WRITERS * LINES
    assert len(set(lines)) == WRITERS * LINES
    line_size = len(lines[0]) + 1
    for backup in (f for f in files if f.name != "ndfstudio.log"):
        assert MAX_BYTES - line_size <= backup.stat().st_size <= MAX_BYTES, backup.name
