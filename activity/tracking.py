"""What counts as activity: a request that authentication accepted, on a path that is not passive."""

from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest

from .conf import activity_settings


@dataclass(frozen=True)
class TrackedRequest:
    """What authentication knew when it accepted a tracked request: the recorder writes its row from this."""

    user: object
    session_id: str | None  # None for a token from before login sessions
    accepted_at: datetime
    kind: str = "token"  # of the login session: "token", or "django" for the admin's and browsable API's cookie


def path_is_passive(path: str) -> bool:
    """Return whether a request to `path` is passive: never activity, never an AUDIT row."""
    conf = activity_settings()
    if path.rstrip("/") in conf.PASSIVE_PATHS:
        return True
    slashed = path if path.endswith("/") else path + "/"
    return slashed.startswith(conf.PASSIVE_PREFIXES) or path.startswith(conf.EXCLUDED_PATHS)


def request_accepted(request, *, user, session_id: str | None, at: datetime, kind: str = "token") -> bool:
    """Note that authentication accepted `request` for `user` at `at`; return whether it is tracked.

    A tracked request counts as activity (the caller records it on the session's clock) and gets one AUDIT row
    once its response is known (the middleware writes it).
    """
    http_request: HttpRequest = getattr(request, "_request", request)  # DRF's Request wraps Django's
    if path_is_passive(http_request.path) or not _view_answers(request):
        return False
    http_request.activity_tracked = TrackedRequest(user=user, session_id=session_id, accepted_at=at, kind=kind)
    return True


def _view_answers(request) -> bool:
    """Return whether the request's view has a handler for its method: DRF authenticates before it answers 405."""
    view = (getattr(request, "parser_context", None) or {}).get("view")
    if view is None:
        return True
    method = request.method.lower()
    return method in view.http_method_names and hasattr(view, method)


def request_tracked(request: HttpRequest) -> TrackedRequest | None:
    """Return what authentication noted of a tracked request, or None when it is not tracked."""
    return getattr(request, "activity_tracked", None)
