"""What a log row keeps of a request: the client's IP and the path, with secrets redacted."""

import ipaddress
from urllib.parse import parse_qsl, urlencode

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

from .conf import activity_settings

REDACTED = "[redacted]"


def request_ip(request: HttpRequest) -> str | None:
    """Return the client's IP, honouring DRF's NUM_PROXIES like the throttles do, or None if it is not one."""
    ident = BaseThrottle().get_ident(request) or ""
    try:
        return str(ipaddress.ip_address(ident.strip()))
    except ValueError:
        return None


def request_path(request: HttpRequest) -> str:
    """Return the path with its query string, sensitive parameters redacted, truncated to fit a row."""
    conf = activity_settings()
    path = request.path
    query = request.META.get("QUERY_STRING", "")
    if query:
        sensitive = set(conf.SENSITIVE_QUERY_PARAMS)
        pairs = [(k, REDACTED if k.lower() in sensitive else v) for k, v in parse_qsl(query, keep_blank_values=True)]
        path = f"{path}?{urlencode(pairs, safe='[]')}"
    return path[: conf.PATH_MAX_LENGTH]
