"""The install's own SECRET_KEY when the environment gives none: random, made once, kept owner-only, reused."""

import contextlib
import os
import secrets
import stat
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

MIN_LENGTH = 50  # Django's own check (security.W009) wants at least 50 characters


def secret_key_load(path: Path) -> str:
    """Return the key kept in `path`, making a random one there first if there is none.

    Several server processes may start at once: the file appears whole or not at all (written aside, then linked
    into place), and a process that loses the race reads the winner's key.
    """
    path = Path(path)
    if not path.exists():
        _create(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ImproperlyConfigured(
            f"{path} holds the secret key but others may read it (mode {mode:04o}); run: chmod 600 {path}"
        )
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < MIN_LENGTH:
        raise ImproperlyConfigured(f"The secret key in {path} is too short; delete the file to have a new one made.")
    return key


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):  # another process got there first: its key wins
            os.link(draft, path)
    finally:
        draft.unlink(missing_ok=True)
