"""Make client-supplied text safe to keep: secrets redacted by their shape, control characters escaped.

One rule for every log row and every log line (and gunicorn's access log), so they cannot drift apart. Plain
functions of their input, without Django: gunicorn's logger imports this module before Django is set up.
"""

import re

REDACTED = "[redacted]"

# A JWT (JWS: three base64url parts; JWE: five), recognised by its JOSE header: base64url of '{"' is "eyJ".
_JWT = r"eyJ[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*){2,4}"
# A long run of key material (base64 with its padding, base64url, hex, "sk_live_..."): 32 characters or more, at
# least one digit and one letter. A path's slashes and dots split it, so words and file names stay readable; so does
# "=" but at the end, so "name=<secret>" keeps its name and loses the secret.
_LONG_SECRET = r"(?=[A-Za-z0-9_+-]*[0-9])(?=[A-Za-z0-9_+-]*[A-Za-z])[A-Za-z0-9_+-]{32,}={0,2}"
_SECRET = re.compile(rf"(?<![A-Za-z0-9_+-])(?:{_JWT}|{_LONG_SECRET})(?![A-Za-z0-9_+-])")
# A session id is a UUID, which the long-secret rule would otherwise take: it identifies, it does not authorise.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

# C0 and C1 controls (NUL, CR, LF, ESC, DEL, NEL...), lone surrogates (not encodable, so not storable), the Unicode
# line and paragraph separators and the bidirectional overrides (text that displays other than it reads).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape_one(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def text_escape(value: str) -> str:
    r"""Return `value` with every unsafe character written as \xNN or \uNNNN: one line, storable anywhere."""
    return _UNSAFE.sub(_escape_one, value)


def _redact_one(match: re.Match) -> str:
    found = match.group()
    return found if _UUID.fullmatch(found) else REDACTED


def text_redact(value: str) -> str:
    """Return `value` with anything shaped like a token or a long secret replaced by [redacted]."""
    return _SECRET.sub(_redact_one, value)


def text_scrub(value: str, *, limit: int | None = None) -> str:
    """Return `value` redacted, escaped and cut to `limit` characters: what a log row or log line may keep."""
    value = text_escape(text_redact(value))
    return value if limit is None else value[:limit]


def name_is_sensitive(name: str, fragments: tuple[str, ...]) -> bool:
    """Return whether a parameter `name` holds a secret: it contains one of `fragments` (case, -, _ and . aside)."""
    folded = _fold(name)
    return any(_fold(fragment) in folded for fragment in fragments)


def _fold(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())
