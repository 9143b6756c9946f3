"""The rotating log file, shared by every process that writes it (gunicorn workers, management commands)."""

import fcntl
import logging
import os
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path


class SharedRotatingFileHandler(RotatingFileHandler):
    """A `RotatingFileHandler` that stays correct with any number of processes on one file.

    The stock handler rotates by its own view of the file: with several workers, each renames the file under the
    others, who then go on writing into the renamed backup (hence 152 KB files beside 5 MB ones, and lost lines).
    Here every record is written under an exclusive lock on `.<file>.lock` beside it, after reopening the file if
    another process rotated it, so the size check and the rotation see the one file all processes share. POSIX
    only, as gunicorn is.

    Threads of one process do not queue for the file: a record logged while another thread is writing is added to
    the batch that thread writes next (`handle`), so a burst of lines costs one lock, one rotation check and one
    write, and no request thread waits for another's disk write. `emit` writes one record as a batch of one.
    """

    def __init__(self, filename, *args, **kwargs):
        super().__init__(filename, *args, **kwargs)
        self._lock_file = None
        self._lock_pid = None
        self._pending: list[tuple[str, logging.LogRecord]] = []  # formatted lines waiting for the writing thread
        self._pending_lock = threading.Lock()  # held only to append to or take the batch
        self._writer_busy = False

    def handle(self, record):
        """Format `record` on this thread; write it, and whatever others added meanwhile, unless a thread is
        already writing (then that one writes it). Returns as `Handler.handle` does."""
        if not self.filter(record):
            return False
        try:
            line = self.format(record) + self.terminator
        except Exception:
            self.handleError(record)
            return True
        with self._pending_lock:
            self._pending.append((line, record))
            if self._writer_busy:
                return True
            self._writer_busy = True
        try:
            while True:
                with self._pending_lock:
                    batch, self._pending = self._pending, []
                    if not batch:
                        self._writer_busy = False
                        return True
                with self.lock:  # close() and emit() of this process
                    self._write_batch(batch)
        except BaseException:
            with self._pending_lock:
                self._writer_busy = False
            raise

    def _write_batch(self, batch: list[tuple[str, logging.LogRecord]]) -> None:
        try:
            lock = self._process_lock()
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                self._follow_rotation()
                if self.stream is None:
                    self.stream = self._open()
                # The file's end, as the other processes left it (our own offset knows only our writes); once a
                # batch, not once a line.
                position = self.stream.seek(0, os.SEEK_END)
                for line, _record in batch:
                    size = len(line.encode(self.stream.encoding, "replace"))
                    # RotatingFileHandler.shouldRollover's rule, without formatting the record again.
                    if self.maxBytes > 0 and position + size >= self.maxBytes:
                        self.stream.flush()
                        self.doRollover()
                        self.stream = self.stream or self._open()  # (it leaves none with delay=True)
                        position = 0
                    self.stream.write(line)
                    position += size
                self.stream.flush()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        except Exception:  # as Handler.emit: a logging failure is reported, never raised into the request
            self.handleError(batch[0][1])

    def emit(self, record):
        """Write `record` alone, now: a batch of one line (the size check, rotation and write under the lock)."""
        try:
            line = self.format(record) + self.terminator
        except Exception:
            self.handleError(record)
            return
        self._write_batch([(line, record)])

    def _process_lock(self):
        # flock belongs to an open file: a forked process needs its own, or parent and child would share one lock.
        if self._lock_pid != os.getpid():
            folder, name = os.path.split(self.baseFilename)
            self._lock_file = open(os.path.join(folder, f".{name}.lock"), "a")  # noqa: SIM115 (open for the process)
            self._lock_pid = os.getpid()
        return self._lock_file

    def _follow_rotation(self):
        """Reopen the file if the name now points elsewhere (another process rotated it, or it was deleted)."""
        if self.stream is None:
            return
        try:
            on_disk = os.stat(self.baseFilename)
        except FileNotFoundError:
            on_disk = None
        ours = os.fstat(self.stream.fileno())
        if on_disk is None or (on_disk.st_dev, on_disk.st_ino) != (ours.st_dev, ours.st_ino):
            self.stream.close()
            self.stream = self._open()

    def close(self):
        with self.lock:
            if self._lock_file is not None and self._lock_pid == os.getpid():
                self._lock_file.close()
            self._lock_file = self._lock_pid = None
        super().close()


def logging_config(log_dir: Path, *, level: str) -> dict:
    """Django's LOGGING: the console plus the size-bounded rotating file `log_dir/ndfstudio.log` (5 MB x 5)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            # Control characters escaped, tokens redacted, tracebacks indented: no client can forge a line.
            "plain": {
                "()": "activity.log_format.ScrubbingFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            },
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "plain"},
            "file": {
                "class": "ndfstudio.log_files.SharedRotatingFileHandler",  # several workers, one correct rotation
                "filename": log_dir / "ndfstudio.log",
                "maxBytes": 5 * 1024 * 1024,
                "backupCount": 5,
                "formatter": "plain",
                "encoding": "utf-8",
            },
        },
        "root": {"handlers": ["console", "file"], "level": level},
        "loggers": {
            # Django's request logger prints no headers or bodies, but keep it at warnings.
            "django.request": {"level": "WARNING"},
            # One line per tracked request belongs in the file, not on the console beside the access log.
            "activity.recording": {"handlers": ["file"], "propagate": False},
        },
    }
