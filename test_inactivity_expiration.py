#!/usr/bin/env python3
"""Check a live ndfstudio server end to end: activity keeps a session, idling past the threshold ends it.

Usage: python test_inactivity_expiration.py [--base-url http://127.0.0.1:8000] [--username U --password P]

Without --username, it creates (or reuses) the user `inactivity-check` directly in the server's database, so run
it from the project folder with the same DATABASE_URL as the server. It prints each step and exits 1 on failure.
Only the standard library is needed when a username and password are given.
"""

import argparse
import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.request

CHECK_USERNAME = "inactivity-check"


class CheckFailed(Exception):
    pass


def call(base_url, method, path, *, token=None, body=None):
    """Return (status, parsed JSON body) of one request."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base_url + path, data=data, method=method)  # noqa: S310
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 (the operator's own server)
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, {"raw": raw[:200].decode(errors="replace")}


def expect(step, status, body, want_status, want_code=None):
    code = body.get("code") if isinstance(body, dict) else None
    if status != want_status or (want_code is not None and code != want_code):
        want = f"{want_status} {want_code or ''}".strip()
        raise CheckFailed(f"{step}: expected {want}, got {status} {json.dumps(body)[:300]}")
    print(f"  ok   {step}: {status}{' ' + code if code else ''}")


def ensure_check_user() -> tuple[str, str]:
    """Create or reset the check user in the server's database (needs Django and the project's settings)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ndfstudio.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    password = secrets.token_urlsafe(16)
    user, created = get_user_model().objects.get_or_create(username=CHECK_USERNAME)
    user.set_password(password)
    user.is_active = True
    user.save()
    print(f"  ok   {'created' if created else 'reusing'} the user {CHECK_USERNAME!r}")
    return CHECK_USERNAME, password


def run(base_url, username, password) -> None:
    print(f"Checking inactivity expiration on {base_url}")
    status, config = call(base_url, "GET", "/api/auth/config")
    expect("read the configuration", status, config, 200)
    threshold = float(config["inactivity_threshold_minutes"]) * 60
    print(f"       inactivity threshold: {threshold:g} s")
    if username is None:
        username, password = ensure_check_user()

    credentials = {"username": username, "password": password}
    status, tokens = call(base_url, "POST", "/api/auth/token/", body=credentials)
    expect("log in", status, tokens, 200)
    access = tokens["access"]

    for n in (1, 2):
        status, body = call(base_url, "GET", "/api/auth/me", token=access)
        expect(f"API call {n} while active", status, body, 200)
    status, logs = call(base_url, "GET", "/api/logs/recent?category=AUDIT&limit=50", token=access)
    expect("read my recent activity", status, logs, 200)
    mine = [row for row in logs["results"] if row["session_id"] == tokens.get("session_id")]
    if len(mine) < 2:
        raise CheckFailed(f"read my recent activity: expected 2 AUDIT rows of this session, got {len(mine)}")
    print(f"  ok   {len(mine)} AUDIT rows recorded for this session")

    # Stay within the threshold with a passive poll: it must not count as activity.
    idle = threshold + max(1.0, threshold * 0.1)
    print(f"       idling {idle:g} s (with one passive poll half-way)...")
    time.sleep(threshold / 2)
    status, body = call(base_url, "GET", "/api/auth/session", token=access)
    expect("passive poll half-way", status, body, 200)
    time.sleep(idle - threshold / 2)

    status, body = call(base_url, "GET", "/api/auth/me", token=access)
    expect("API call after idling", status, body, 401, "token_inactive")
    status, body = call(base_url, "POST", "/api/auth/token/refresh/", body={"refresh": tokens["refresh"]})
    expect("refresh after idling", status, body, 401, "token_inactive")

    status, tokens = call(base_url, "POST", "/api/auth/token/", body=credentials)
    expect("log in again", status, tokens, 200)
    status, body = call(base_url, "GET", "/api/auth/me", token=tokens["access"])
    expect("API call in the new session", status, body, 200)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--username")
    parser.add_argument("--password")
    args = parser.parse_args(argv)
    if (args.username is None) != (args.password is None):
        parser.error("give both --username and --password, or neither")
    try:
        run(args.base_url.rstrip("/"), args.username, args.password)
    except CheckFailed as failure:
        print(f"  FAIL {failure}")
        return 1
    except (urllib.error.URLError, OSError) as error:
        print(f"  FAIL cannot reach {args.base_url}: {error}")
        return 1
    print("PASS: the session ended after inactivity and a new login works.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
