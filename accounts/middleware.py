"""Hold every request on the Django session cookie to the login-session rules, before its view runs."""

from urllib.parse import urlencode

from django.contrib import auth
from django.http import HttpResponseRedirect, JsonResponse
from rest_framework_simplejwt.exceptions import InvalidToken

from .django_sessions import django_session_user
from .rejections import token_rejection_record

# The web UI's words for why a sign-in ended (its login page reads ?reason=), by rejection code.
REASONS = {"token_inactive": "inactive", "token_expired": "expired", "session_ended": "ended"}


class LoginSessionMiddleware:
    """After Django's AuthenticationMiddleware: a dead login session signs the Django session out.

    The admin then lands on its login page saying why; anything else gets the 401 a bearer request would.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            session = django_session_user(request)
        except InvalidToken as exc:
            token_rejection_record(request=request, exc=exc, kind="cookie")
            auth.logout(request)
            return self.rejected(request, exc)
        if session is not None:
            request.user, request.login_session = session.user, session
        return self.get_response(request)

    def rejected(self, request, exc):
        code = exc.detail["code"] if isinstance(exc.detail, dict) else exc.default_code
        if request.path.startswith("/admin/"):
            query = urlencode({"next": request.get_full_path(), "reason": REASONS.get(code, "invalid")})
            return HttpResponseRedirect(f"/admin/login/?{query}")
        response = JsonResponse({"detail": str(exc.detail["detail"]), "code": code}, status=exc.status_code)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
