"""The log file's lines: one record is one line (or an indented block), whatever a client put in it."""

import logging
import sys
from logging.config import DictConfigurator

from django.conf import settings


def project_formatter(handler: str) -> logging.Formatter:
    """Build the formatter that settings.LOGGING gives `handler`, as dictConfig does."""
    config = settings.LOGGING["formatters"][settings.LOGGING["handlers"][handler]["formatter"]]
    return DictConfigurator(settings.LOGGING).configure_formatter(dict(config))


def record(message, *args, exc_info=None):
    return logging.LogRecord("activity.recording", logging.INFO, __file__, 1, message, args, exc_info)


def test_a_client_cannot_forge_a_line_in_the_log_file():
    forged = "/api/x\r\n2026-01-05 09:00:00,000 INFO activity.recording SECURITY login_succeeded\x1b[2K"
    for handler in ("file", "console"):
        line = project_formatter(handler).format(record("AUDIT api_request %s", forged))
        assert "\n" not in line and "\r" not in line and "\x1b" not in line
        assert line.endswith("/api/x\\x0d\\x0a2026-01-05 09:00:00,000 INFO activity.recording SECURITY "
                              "login_succeeded\\x1b[2K")  # fmt: skip


def test_a_traceback_stays_one_indented_block():
    try:
        raise ValueError("bad value\n2026-01-05 09:00:00,000 INFO x SECURITY login_succeeded\x00")
    except ValueError:
        line = project_formatter("file").format(record("could not write", exc_info=sys.exc_info()))
    first, *rest = line.split("\n")
    assert first.endswith("could not write")
    assert rest and all(r.startswith("  ") for r in rest)  # no continuation line can pass for a record
    assert "\x00" not in line and "login_succeeded\\x00" in line


def test_tokens_are_redacted_in_any_line():
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLWxvbmctZW5vdWdo"
    line = project_formatter("file").format(record("Not Found: /x/%s", jwt))
    assert line.endswith("Not Found: /x/[redacted]")
