"""What counts as activity: a request that authentication accepted, on a path that is not passive."""

from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest

from .conf import activity_settings
from .types import ActivityType, activity_type_for


@dataclass(frozen=True)
class TrackedRequest:
    """What authentication knew when it accepted a tracked request: the recorder writes its row from this."""

    user: object
    session_id: str | None  # None for a token from before login sessions
    accepted_at: datetime
    kind: str = "token"  # of the login session: "token", or "django" for the admin's and browsable API's cookie
    activity_type: ActivityType | None = None  # what the request is (types.py): its idle window


def path_is_passive(path: str) -> bool:
    """Return whether a request to `path` is passive: never activity, never an AUDIT row."""
    conf = activity_settings()
    if path.rstrip("/") in conf.PASSIVE_PATHS:
        return True
    slashed = path if path.endswith("/") else path + "/"
    return slashed.startswith(conf.PASSIVE_PREFIXES) or path.startswith(conf.EXCLUDED_PATHS)


def request_accepted(
    request, *, user, session_id: str | None, at: datetime, kind: str = "token"
) -> TrackedRequest | None:
    """Note that authentication accepted `request` for `user` at `at`; return it as tracked, or None if passive.

    A tracked request counts as activity (the caller records it on the session's clock, with its type's window) and
    gets one AUDIT row once its response is known (the middleware writes it).
    """
    http_request: HttpRequest = getattr(request, "_request", request)  # DRF's Request wraps Django's
    if path_is_passive(http_request.path) or not _view_answers(request):
        return None
    activity_type = activity_type_for(http_request.method or "", http_request.path)
    if activity_type.passive:
        return None
    tracked = TrackedRequest(user=user, session_id=session_id, accepted_at=at, kind=kind, activity_type=activity_type)
    http_request.activity_tracked = tracked
    return tracked


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
