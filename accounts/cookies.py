"""The browser's refresh token: an HttpOnly cookie scoped to the auth endpoints, and the CSRF check it needs."""

from django.utils import timezone
from rest_framework.authentication import CSRFCheck
from rest_framework.exceptions import PermissionDenied

from .conf import accounts_settings


def refresh_cookie_set(response, refresh) -> None:
    """Hand the refresh token to browsers in an HttpOnly, SameSite=Strict cookie scoped to the auth endpoints."""
    conf = accounts_settings()
    response.set_cookie(
        conf.REFRESH_COOKIE_NAME,
        str(refresh),
        # A day past the token: a browser that comes back late still sends it, and hears `token_expired`.
        max_age=max(0, int(refresh["exp"] - timezone.now().timestamp())) + 24 * 3600,
        path=conf.REFRESH_COOKIE_PATH,
        secure=conf.REFRESH_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def refresh_cookie_only(request, *, asked: bool = False, from_cookie: bool = False) -> bool:
    """Return whether the refresh token goes to this client only as the cookie, never in the JSON body.

    So it does for browsers, where a script injected into the page could read a body but not an HttpOnly cookie:
    a request that refreshes with the cookie, one that asks (the web UI's sign-in sends `refresh_cookie_only`), and
    any request carrying Fetch Metadata (`Sec-Fetch-Site`), which browsers send and page scripts cannot remove.
    API clients send none of these and get it in the body, as the contract says.
    """
    return asked or from_cookie or "HTTP_SEC_FETCH_SITE" in request.META


def refresh_cookie_delete(response) -> None:
    conf = accounts_settings()
    response.delete_cookie(conf.REFRESH_COOKIE_NAME, path=conf.REFRESH_COOKIE_PATH, samesite="Strict")


def refresh_cookie_read(request) -> str | None:
    """Return the refresh cookie's token, after the CSRF check a cookie-borne credential needs."""
    raw = request.COOKIES.get(accounts_settings().REFRESH_COOKIE_NAME)
    if raw is None:
        return None
    check = CSRFCheck(lambda req: None)
    check.process_request(request)
    reason = check.process_view(request, None, (), {})
    if reason:
        raise PermissionDenied(f"CSRF failed: {reason}")
    return raw
