"""Progress on a terminal: rows done, rate and time left, in place, at most once per interval; nothing otherwise."""

import io

from django.core.management.base import OutputWrapper

from activity.progress import Progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_terminal_sees_the_rows_the_rate_and_the_time_left_at_most_once_per_interval():
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, interval=0.25, clock=clock)
    progress.begin("activity log rows", total=10_000)
    clock.now += 0.5
    progress.add(1000)  # the first batch shows at once
    clock.now += 0.1
    progress.add(1000)  # within the interval: nothing written
    clock.now += 0.4
    progress.add(3000)
    progress.end()
    assert stream.getvalue() == (
        "\ractivity log rows: 1,000 of 10,000, 2,000/s, 0:00:04 left\x1b[K"
        "\ractivity log rows: 5,000 of 10,000, 5,000/s, 0:00:01 left\x1b[K"
        "\ractivity log rows: 5,000 of 10,000, 5,000/s, 0:00:01 left\x1b[K\n"
    )


def test_without_a_total_there_is_no_time_left():
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, clock=clock)
    progress.begin("login sessions")
    clock.now += 2
    progress.add(10)
    assert stream.getvalue() == "\rlogin sessions: 10, 5/s\x1b[K"


def test_not_a_terminal_sees_nothing():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, interval=0, clock=clock)
    progress.begin("activity log rows", total=10)
    clock.now += 1
    progress.add(10)
    progress.end()
    assert (progress.shown, stream.getvalue()) == (False, "")


def test_a_phase_that_showed_nothing_leaves_no_empty_line():
    stream = Terminal()
    progress = Progress(stream)
    progress.begin("login sessions", total=0)
    progress.end()
    assert stream.getvalue() == ""


def test_a_commands_stderr_adds_no_newline_and_no_error_colour():
    terminal = Terminal()
    stderr = OutputWrapper(terminal)
    stderr.style_func = lambda message: f"<red>{message}</red>"  # what Django sets on a terminal's stderr
    clock = Clock()
    progress = Progress(stderr, clock=clock)
    progress.begin("login sessions", total=4)
    clock.now += 1
    progress.add(2)
    progress.end()
    line = "\rlogin sessions: 2 of 4, 2/s, 0:00:01 left\x1b[K"
    assert terminal.getvalue() == line + line + "\n"
