"""Error bodies: every API error names itself with a `code` beside its `detail`."""

import logging

from django.db import DatabaseError
from django.http import JsonResponse
from django.views import defaults
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.exceptions import ServiceUnavailable

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    if isinstance(exc, DatabaseError):
        # The database is away: say so plainly (and retryably) rather than with a 500.
        logger.exception("database unavailable")
        exc = ServiceUnavailable()
    response = drf_exception_handler(exc, context)
    if isinstance(exc, ServiceUnavailable):
        response["Retry-After"] = "5"
    if isinstance(exc, ValidationError) and response is not None:
        response.data = validation_error_body(exc)
    elif (
        isinstance(exc, APIException)
        and response is not None
        and isinstance(response.data, dict)
        and set(response.data) == {"detail"}
    ):
        response.data["code"] = exc.get_codes() if isinstance(exc.detail, str) else "error"
    return response


def validation_error_body(exc: ValidationError) -> dict:
    """{"detail": a sentence naming the first bad field, "code": its code, "errors": every field's messages}."""
    errors, codes = exc.detail, exc.get_codes()
    if not isinstance(errors, dict):  # raised with a message or a list, not per field
        errors, codes = {"non_field_errors": errors}, {"non_field_errors": codes}
    field = next(iter(errors))
    message, code = _first(errors[field]), _first(codes[field])
    detail = str(message) if field == "non_field_errors" else f"Invalid '{field}': {message}"
    return {"detail": detail, "code": str(code), "errors": errors}


def _first(value):
    while isinstance(value, (list, dict)) and value:
        value = next(iter(value.values())) if isinstance(value, dict) else value[0]
    return value


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Internal server error.", "code": "server_error"}, status=500)
    return defaults.server_error(request)


def bad_request(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=400)
    return defaults.bad_request(request, exception)
