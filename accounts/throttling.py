"""Login attempts: counted against their limits before the password is checked, and failures recorded.

Three limits (DRF's DEFAULT_THROTTLE_RATES, e.g. "5/min"), each counted in fixed windows in the shared counters of
accounts/login_counters.py:

- `login_ip`: attempts from one source, whatever the username;
- `login_username`: attempts for one username from one source. Wrong passwords from elsewhere never lock the
  owner out: they sign in from a source that has not failed;
- `login_username_all_sources`: a higher ceiling for one username across sources, so guessing stays slow however
  many sources an attacker has, and no single source can reach it alone.

An attempt is counted *before* its password is checked and taken back unless it fails, so parallel requests can
never get more evaluated than a limit allows. Usernames are bucketed the way authentication sees them (NFKC, as
the user model normalises them; whitespace stripped, as the serializer does) and case-insensitively.
"""

import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.crypto import salted_hmac
from rest_framework.exceptions import Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from activity.models import ActivityLog
from activity.recording import activity_record

from .exceptions import InvalidField
from .login_counters import counters_add, counters_subtract

SCOPES = ("login_ip", "login_username", "login_username_all_sources")
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass
class LoginAttempt:
    """One login attempt, counted against its limits until it is released (it did not fail)."""

    store: str
    keys: list[str]
    settled: bool = False

    def fail(self) -> None:
        """It failed: it stays counted."""
        self.settled = True

    def release(self) -> None:
        """Unless it failed, take it back: successes and malformed requests never count."""
        if not self.settled:
            self.settled = True
            counters_subtract(self.store, self.keys)


def login_username(data) -> str | None:
    """Return the username a login request names, if any; one that is not text is a 400 naming the field."""
    if not hasattr(data, "get") or "username" not in data:
        return None  # the serializer says what is missing
    username = data.get("username")
    if not isinstance(username, str):
        raise InvalidField("username: must be a string.")
    return username


def username_bucket(username: str) -> str:
    """Return what a username is throttled as: normalised as authentication does, stripped, case-folded."""
    return get_user_model().normalize_username(username).strip().casefold()


def _parse_rate(rate: str) -> tuple[int, int]:
    number, period = rate.split("/")
    return int(number), _PERIODS[period[0]]


def login_attempt_reserve(*, request, username: str | None) -> LoginAttempt:
    """Count an attempt against every limit it falls under; raise Throttled (429) if one of them is full."""
    now = time.time()
    source = BaseThrottle().get_ident(request) or ""
    idents = {"login_ip": source}
    if username and (name := username_bucket(username)):
        idents.update(login_username=f"{name}\0{source}", login_username_all_sources=name)
    counters = []  # (key, end of its window, limit)
    for scope, ident in idents.items():
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
        if rate is None:
            continue
        limit, duration = _parse_rate(rate)
        window = int(now // duration)
        digest = salted_hmac("accounts.login_throttle", ident).hexdigest()[:32]  # no typed text in any store
        counters.append((f"login:{scope}:{digest}:{window}", (window + 1) * duration, limit))
    store, counts = counters_add([(key, ends) for key, ends, _ in counters])
    attempt = LoginAttempt(store, [key for key, _, _ in counters])
    full = [ends for (_, ends, limit), count in zip(counters, counts, strict=True) if count > limit]
    if full:
        attempt.release()
        raise Throttled(wait=max(full) - now)
    return attempt


def login_failure_record(*, request, username: str, attempt: LoginAttempt, what: str = "login") -> None:
    """Keep the failed attempt counted and leave a SECURITY row; an unknown username only as a keyed hash."""
    attempt.fail()
    User = get_user_model()  # noqa: N806
    try:
        user = User._default_manager.get_by_natural_key(username)
    except User.DoesNotExist:
        # People type passwords into the username field: keep a short keyed hash that still correlates attempts.
        digest = salted_hmac("accounts.login_failed", username_bucket(username)).hexdigest()[:16]
        user, message = None, f"Failed {what} for an unknown username (hash {digest})"
    else:
        message = f"Failed {what} for username {user.get_username()!r}"
    activity_record(
        category=ActivityLog.Category.SECURITY,
        event="login_failed",
        message=message,
        request=request,
        user=user,
        status_code=401,
    )
