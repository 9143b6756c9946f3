"""Pages of the web UI and the health check; they belong to no app."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.generic import TemplateView

from accounts.exceptions import ServiceUnavailable


def healthz(request):
    """Answer 200 while the database answers, else the API's one 503 body (with Retry-After)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        exc = ServiceUnavailable()
        body = {"detail": str(exc.detail), "code": exc.default_code, "status": "unavailable", "database": "unreachable"}
        response = JsonResponse(body, status=exc.status_code)
        response["Retry-After"] = "5"
        return response
    return JsonResponse({"status": "ok"})


# The pages load every script and style from /static/, never inline, so the policy can be this strict.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class PageView(TemplateView):
    """A page of the UI, under a strict Content-Security-Policy; it sets the CSRF cookie the refresh cookie needs."""

    @classmethod
    def as_view(cls, **initkwargs):
        return ensure_csrf_cookie(super().as_view(**initkwargs))

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response["Cache-Control"] = "no-store"
        return response
