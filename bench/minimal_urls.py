"""The minimal app's one view (bench/minimal.py): SimpleJWT's own `JWTAuthentication` reads the user (one SELECT)
and a plain function answers what `MeSerializer` would, `session_id` taken from the token."""

from django.http import JsonResponse
from django.urls import path
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

_authentication = JWTAuthentication()


def me(request):
    try:
        found = _authentication.authenticate(request)
    except (InvalidToken, TokenError):
        found = None
    if found is None:
        return JsonResponse({"detail": "Given token not valid.", "code": "token_not_valid"}, status=401)
    user, token = found
    last_login = user.last_login.isoformat().replace("+00:00", "Z") if user.last_login else None
    return JsonResponse({
        "id": user.pk, "username": user.username, "email": user.email, "first_name": user.first_name,
        "last_name": user.last_name, "is_staff": user.is_staff, "last_login": last_login,
        "session_id": token.get("sid"),
    }, json_dumps_params={"separators": (",", ":")})  # fmt: skip


urlpatterns = [
    path("api/auth/me", me),
    path("healthz", lambda request: JsonResponse({"status": "ok"})),
]
