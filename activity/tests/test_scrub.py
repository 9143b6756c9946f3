"""The one rule for what a log keeps of client text: secrets redacted by shape, control characters escaped."""

import pytest

from activity.scrub import name_is_sensitive, text_escape, text_redact, text_scrub

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLWxvbmctZW5vdWdo"
JWE = "eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVydGV4dA.dGFn"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("\x00\t\r\n\x1b\x7f\x85", "\\x00\\x09\\x0d\\x0a\\x1b\\x7f\\x85"),
        ("a\u2028b\u202ec\ud800", "a\\u2028b\\u202ec\\ud800"),
        ("caf\u00e9 \u65e5\u672c", "caf\u00e9 \u65e5\u672c"),  # printable text untouched
    ],
)
def test_escape(value, expected):
    assert text_escape(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"Bearer {JWT}", "Bearer [redacted]"),
        (f"/x/{JWE}/y", "/x/[redacted]/y"),
        ("/key/ghp_16C7e42F292c6912E7710c838347Ae178B4a", "/key/[redacted]"),
        ("/0b6e4c3a-1f2d-4e5f-8a9b-0c1d2e3f4a5b/", "/0b6e4c3a-1f2d-4e5f-8a9b-0c1d2e3f4a5b/"),  # a UUID is kept
        # ... and so is a named one: the log file's "session=<id>" (was redacted whole, name and all)
        ("user=1 session=0b6e4c3a-1f2d-4e5f-8a9b-0c1d2e3f4a5b ip=", None),
        # A secret after "name=" is redacted, the name kept (a JWT there was kept whole: "=" ended no secret)
        (f"token={JWT}", "token=[redacted]"),
        (f"GET /x?access_token={JWT} HTTP/1.1", "GET /x?access_token=[redacted] HTTP/1.1"),
        (f'"GET /api/x/token={JWT}/"', '"GET /api/x/token=[redacted]/"'),  # a path as the access log shows it
        (f"a_rather_long_parameter_name={JWT}", "a_rather_long_parameter_name=[redacted]"),
        ("key=ghp_16C7e42F292c6912E7710c838347Ae178B4a", "key=[redacted]"),
        ("c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0NTY3ODkw==", "[redacted]"),  # base64's padding goes with it
        ("ghp_16C7e42F292c6912E7710c838347Ae178B4a=x", "[redacted]=x"),
        ("/static/app.3f2a9c1b.js", "/static/app.3f2a9c1b.js"),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0.0.0", None),
        ("a-readable-slug-without-any-digits-at-all", None),
    ],
)
def test_redact(value, expected):
    assert text_redact(value) == (value if expected is None else expected)


def test_scrub_redacts_escapes_and_cuts():
    assert text_scrub(f"\x00{JWT}\n", limit=13) == "\\x00[redacted"


@pytest.mark.parametrize("name", ["access_token", "ID-Token", "client.secret", "apikey", "X-Api-Key", "pwd", "pass"])
def test_sensitive_names(name):
    assert name_is_sensitive(name, ("token", "secret", "key", "pwd", "pass"))


def test_other_names_are_kept():
    assert not name_is_sensitive("page", ("token", "api_key"))
    assert name_is_sensitive("X-API-KEY", ("api_key",))  # the list is folded too
