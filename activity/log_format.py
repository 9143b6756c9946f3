"""The log file's formatter: one record is one line, or one indented block, whatever a client put in it."""

import logging
import re

from .scrub import text_escape, text_redact

_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def _block(text: str) -> str:
    """Escape `text` but its line breaks, and indent every line: no line of a traceback can pass for a record."""
    return "\n".join("  " + text_escape(line) for line in _LINE_BREAKS.split(text))


class ScrubbingFormatter(logging.Formatter):
    """A `logging.Formatter` whose message is redacted and escaped (activity/scrub.py), tracebacks indented.

    Every line of the file then starts with a timestamp or with spaces, so no request can forge a line, and no
    token-shaped value reaches the file, even through Django's own "Not Found: <path>" warnings.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:
        return text_escape(text_redact(super().formatMessage(record)))

    def formatException(self, ei) -> str:
        return _block(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return _block(super().formatStack(stack_info))
