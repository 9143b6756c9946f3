"""The rejections of the token endpoints and the authentication class: 401 with a stable `code` each; and 503."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework_simplejwt.exceptions import InvalidToken


class TokenInactive(InvalidToken):
    default_detail = _("Token rejected due to user inactivity. Sign in again.")
    default_code = "token_inactive"


class TokenExpired(InvalidToken):
    default_detail = _("Token expired. Sign in again.")
    default_code = "token_expired"


class SessionEnded(InvalidToken):
    default_detail = _("Session ended. Sign in again.")
    default_code = "session_ended"


class ServiceUnavailable(APIException):
    """The database or cache is away: every such answer has this body and a Retry-After (the exception handler)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The service is temporarily unavailable; try again shortly.")
    default_code = "service_unavailable"


class InvalidField(APIException):
    """A request field of the wrong kind: 400, the detail naming the field."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("Invalid input.")
    default_code = "invalid"
