"""Failed logins: throttled per username and per client IP (DRF's rates and cache), and recorded."""

import hashlib

from rest_framework.throttling import SimpleRateThrottle

from activity.models import ActivityLog
from activity.recording import activity_record


class LoginFailureThrottle(SimpleRateThrottle):
    """Refuse logins once too many recent ones failed; `failure()` counts one, a success counts nothing."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        return len(self.history) < self.num_requests

    def failure(self):
        if self.rate is None or self.key is None:
            return
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


class LoginIPThrottle(LoginFailureThrottle):
    scope = "login_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginUsernameThrottle(LoginFailureThrottle):
    scope = "login_username"

    def get_cache_key(self, request, view):
        username = request.data.get("username") if hasattr(request.data, "get") else None
        if not isinstance(username, str) or not username:
            return None
        ident = hashlib.sha256(username.strip().lower().encode()).hexdigest()  # any text, a safe cache key
        return self.cache_format % {"scope": self.scope, "ident": ident}


def login_failure_record(*, request, throttles) -> None:
    """Count a failed login against the throttles that let it through, and leave a SECURITY row."""
    for throttle in throttles:
        throttle.failure()
    username = str(request.data.get("username", ""))[:150]
    activity_record(
        category=ActivityLog.Category.SECURITY,
        event="login_failed",
        message=f"Failed login for username {username!r}",
        request=request,
        status_code=401,
    )
