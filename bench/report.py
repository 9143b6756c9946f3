"""docs/PERFORMANCE.md, one `## ` section per benchmark command: each command replaces its own and keeps the rest."""

import re

from tests.live import PROJECT_DIR

REPORT = PROJECT_DIR / "docs" / "PERFORMANCE.md"
HEAD = "# Performance\n\nEach section below is written by the command it names; rerun that command to renew it.\n"


def section_write(title: str, body: str) -> None:
    """Put `## title` followed by `body` in the report, in place of that section if it is there, else at the end."""
    text = REPORT.read_text() if REPORT.exists() else HEAD
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", flags=re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + section
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text)
