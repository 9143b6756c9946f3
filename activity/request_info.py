"""What a log row keeps of a request: the client's IP and the path, with secrets redacted."""

import functools
import ipaddress
from urllib.parse import parse_qsl, urlencode

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

from .conf import activity_settings
from .scrub import REDACTED, name_is_sensitive, text_redact, text_scrub


def request_ip(request: HttpRequest) -> str | None:
    """Return the client's IP, honouring DRF's NUM_PROXIES like the throttles do, or None if it is not one."""
    ident = (BaseThrottle().get_ident(request) or "").strip()
    return _ip_normalized_cached(ident) if len(ident) <= 64 else _ip_normalized(ident)  # no IP is longer


def _ip_normalized(ident: str) -> str | None:
    try:
        return str(ipaddress.ip_address(ident))
    except ValueError:
        return None


_ip_normalized_cached = functools.lru_cache(maxsize=1024)(_ip_normalized)  # a few clients make most requests


def request_path(request: HttpRequest) -> str:
    """Return the path with its query string, secrets redacted, control characters escaped, cut to fit a row.

    A query parameter is redacted by its name (SENSITIVE_QUERY_PARAMS) or by its value (activity/scrub.py).
    """
    conf = activity_settings()
    path = text_scrub(request.path)
    query = request.META.get("QUERY_STRING", "")
    if query:
        sensitive = conf.SENSITIVE_QUERY_PARAMS + conf.EXTRA_SENSITIVE_QUERY_PARAMS
        pairs = [
            (text_redact(k), REDACTED if name_is_sensitive(k, sensitive) else text_redact(v))
            for k, v in parse_qsl(query, keep_blank_values=True)
        ]
        path = f"{path}?{urlencode(pairs, safe='[]')}"  # percent-encoded: no control character survives
    return path[: conf.PATH_MAX_LENGTH]
