"""What counts as activity: a request is tracked when it authenticated with a token and its path is not passive."""

from django.http import HttpRequest

from .conf import activity_settings


def path_is_passive(path: str) -> bool:
    """Return whether a request to `path` is passive: never activity, never an AUDIT row."""
    conf = activity_settings()
    if path.rstrip("/") in conf.PASSIVE_PATHS:
        return True
    slashed = path if path.endswith("/") else path + "/"
    return slashed.startswith(conf.PASSIVE_PREFIXES) or path.startswith(conf.EXCLUDED_PATHS)


def request_session_id(request: HttpRequest) -> str | None:
    """Return the login session id of a request DRF authenticated with a session token, if any."""
    token = getattr(request, "auth", None)
    getter = getattr(token, "get", None)
    return getter(activity_settings().SESSION_CLAIM) if getter else None


def request_is_tracked(request: HttpRequest) -> bool:
    """Return whether the request, after its view ran, counts as activity.

    Only requests that DRF authenticated with credentials (a token in `request.auth`) count: admin pages on a
    Django session are not API activity.
    """
    # `auth` first: it is only set by DRF, and touching a lazy Django `request.user` could cost a query.
    if getattr(request, "auth", None) is None or path_is_passive(request.path):
        return False
    return request.user.is_authenticated
