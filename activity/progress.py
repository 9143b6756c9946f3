"""Progress of long work on a terminal: rows done, rate and time left, rewritten in place a few times a second."""

import time
from datetime import timedelta

from django.core.management.base import OutputWrapper


class Progress:
    """Shows how far a long job is on `stream` while it is a terminal; writes nothing at all otherwise (cron).

    The job names each phase with `begin(what, total)` and reports each batch with `add(count)`; a line is
    rewritten at most every `interval` seconds, so reporting costs a clock read per batch, not a write.
    """

    def __init__(self, stream, *, interval: float = 0.25, clock=time.monotonic):
        self.shown = bool(getattr(stream, "isatty", lambda: False)())
        self.stream, self.interval, self.clock = stream, interval, clock
        self.what, self.total, self.done, self.started, self.written = "", None, 0, 0.0, None

    def begin(self, what: str, *, total: int | None = None) -> None:
        """Start a phase of `total` rows (None: unknown, then no time left is shown)."""
        self.end()
        self.what, self.total, self.done, self.started, self.written = what, total, 0, self.clock(), None

    def add(self, count: int) -> None:
        """Count `count` more rows done; show it if the last line is older than the interval."""
        self.done += count
        if self.shown and (self.written is None or self.clock() - self.written >= self.interval):
            self._write()

    def end(self) -> None:
        """Show the phase's last figures and leave them on their own line."""
        if self.shown and self.written is not None:
            self._write()
            self._put("\n")
        self.written = None

    def _write(self) -> None:
        now = self.clock()
        self.written = now
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        line = f"{self.what}: {self.done:,}"
        if self.total is not None:
            line += f" of {self.total:,}"
        line += f", {rate:,.0f}/s"
        if self.total is not None and rate > 0:
            line += f", {_duration(max(0, self.total - self.done) / rate)} left"
        self._put(f"\r{line}\x1b[K")  # back to the line's start, write, erase what the last line left over

    def _put(self, text: str) -> None:
        if isinstance(self.stream, OutputWrapper):  # a command's stderr: it would end each write with a newline
            self.stream.write(text, style_func=str, ending="")  # and colour it as an error on a terminal
        else:
            self.stream.write(text)
        self.stream.flush()


def _duration(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))
