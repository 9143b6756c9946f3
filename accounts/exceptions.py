"""The rejections of the token endpoints and the authentication class: 401 with a stable `code` each."""

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


class AuthStoreUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("Sessions cannot be checked right now; try again shortly.")
    default_code = "service_unavailable"
