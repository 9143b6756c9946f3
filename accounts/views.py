"""The accounts endpoints: tokens, logout, the current user, and the user's login sessions."""

import uuid

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import CSRFCheck
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt import settings as simplejwt  # its api_settings is rebound on override
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from activity.models import ActivityLog
from activity.services import activity_record

from .authentication import InactivityJWTAuthentication
from .conf import accounts_settings
from .models import LoginSession
from .serializers import (
    ConfigSerializer,
    LoginSerializer,
    LoginSessionSerializer,
    MeSerializer,
    RefreshSerializer,
    SessionStateSerializer,
)
from .sessions import session_clock, session_end, session_extend, session_for_token, session_refresh
from .throttling import LoginIPThrottle, LoginUsernameThrottle
from .tokens import SessionRefreshToken


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 4)


def set_refresh_cookie(response, refresh) -> None:
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


def delete_refresh_cookie(response) -> None:
    conf = accounts_settings()
    response.delete_cookie(conf.REFRESH_COOKIE_NAME, path=conf.REFRESH_COOKIE_PATH, samesite="Strict")


def refresh_from_cookie(request) -> str | None:
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


def current_session(request) -> LoginSession:
    """Return the login session the request's token belongs to (read once, by the authentication)."""
    session = getattr(request.auth, "login_session", None)
    if session is None:
        raise NotFound("This token belongs to no login session.")
    return session


class TokenEndpoint(GenericAPIView):
    """An unauthenticated token endpoint whose rejections still answer 401 with a Bearer challenge."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get_authenticate_header(self, request):
        return InactivityJWTAuthentication().authenticate_header(request)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"  # tokens must not be cached (RFC 6749, 5.1)
        return response


class LoginView(TokenEndpoint):
    """Start a login session: return its access and refresh tokens (the refresh one also as a cookie)."""

    throttle_classes = (LoginIPThrottle, LoginUsernameThrottle)
    serializer_class = LoginSerializer

    def get_throttles(self):
        # The same instances that allowed the request must count its failure.
        if not hasattr(self, "_throttles"):
            self._throttles = super().get_throttles()
        return self._throttles

    @extend_schema(responses={200: LoginSerializer, 401: OpenApiResponse(description="no_active_account")})
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except AuthenticationFailed:
            for throttle in self.get_throttles():
                throttle.failure()
            username = str(request.data.get("username", ""))[:150]
            activity_record(
                category=ActivityLog.Category.SECURITY,
                event="login_failed",
                message=f"Failed login for username {username!r}",
                request=request,
                status_code=401,
            )
            raise
        response = Response(serializer.validated_data)
        set_refresh_cookie(response, serializer.refresh_token)
        return response


class RefreshView(TokenEndpoint):
    """Exchange a refresh token (body or cookie) for new tokens, only while the session is alive."""

    serializer_class = RefreshSerializer

    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        raw = serializer.validated_data.get("refresh") or refresh_from_cookie(request)
        if not raw:
            raise InvalidToken("No refresh token: send it as `refresh` or in the refresh cookie")
        session, refresh, access = session_refresh(raw_refresh=raw, request=request)
        response = Response({"access": str(access), "refresh": str(refresh), "session_id": str(session.pk)})
        set_refresh_cookie(response, refresh)
        return response


class LogoutView(APIView):
    """End the login session of the bearer token (or, for browsers, of the refresh cookie)."""

    permission_classes = (AllowAny,)

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        session = None
        if request.auth is not None:
            session = getattr(request.auth, "login_session", None)  # None for a legacy token: nothing to end
        else:
            raw = refresh_from_cookie(request)
            if raw is None:
                raise NotAuthenticated()
            try:
                session = session_for_token(token=SessionRefreshToken(raw))
            except (TokenError, InvalidToken, KeyError):
                session = None  # a dead cookie: nothing to end, but still clear it
        if session is not None:
            session_end(session=session, reason=LoginSession.EndReason.LOGOUT, request=request)
        response = Response(status=status.HTTP_204_NO_CONTENT)
        delete_refresh_cookie(response)
        return response


class MeView(GenericAPIView):
    serializer_class = MeSerializer

    def get(self, request):
        return Response(self.get_serializer(request.user).data)


class ConfigView(APIView):
    """The inactivity policy in force, for the UI: read from the very settings the authentication uses.

    Public, but a token sent along is still checked: no request with a dead session's token is answered.
    """

    permission_classes = (AllowAny,)

    @extend_schema(responses=ConfigSerializer)
    def get(self, request):
        conf = accounts_settings()
        lifetime = simplejwt.api_settings.ACCESS_TOKEN_LIFETIME.total_seconds()
        return Response(
            {
                "inactivity_threshold_minutes": _number(conf.INACTIVITY_THRESHOLD.total_seconds() / 60),
                "max_token_lifetime_hours": _number(lifetime / 3600),
                "max_token_lifetime_minutes": _number(lifetime / 60),
                "session_max_hours": _number(conf.SESSION_MAX_AGE.total_seconds() / 3600),
                "warning_seconds": _number(conf.warning_seconds),
                "token_check_interval_seconds": conf.TOKEN_CHECK_INTERVAL_SECONDS,
                "activity_check_interval_seconds": conf.ACTIVITY_CHECK_INTERVAL_SECONDS,
                "features": {
                    "inactivity_based_expiration": True,
                    "refresh_token_rotation": True,
                    "refresh_token_reuse_detection": True,
                    "legacy_tokens_accepted": conf.ACCEPT_LEGACY_TOKENS,
                },
                "server_time": timezone.now(),
            }
        )


class SessionView(GenericAPIView):
    """The current login session's clock. GET is passive (polling it keeps nobody alive); extend is activity."""

    serializer_class = SessionStateSerializer

    def state(self, session: LoginSession, *, last_activity, idle_expires_at):
        data = {
            "session_id": session.pk,
            "user": session.user,
            "last_activity": last_activity,
            "idle_expires_at": idle_expires_at,
            "expires_at": session.expires_at,
            "server_time": timezone.now(),
            "inactivity_threshold_minutes": accounts_settings().INACTIVITY_THRESHOLD.total_seconds() / 60,
        }
        return Response(self.get_serializer(data).data)

    def get(self, request):
        session = current_session(request)
        last_activity, idle_expires_at = session_clock(session=session)
        return self.state(session, last_activity=last_activity, idle_expires_at=idle_expires_at)


class SessionExtendView(SessionView):
    @extend_schema(request=None)
    def post(self, request):
        session = current_session(request)
        last_activity, idle_expires_at = session_extend(session=session, now=timezone.now())
        return self.state(session, last_activity=last_activity, idle_expires_at=idle_expires_at)


class LoginSessionListView(GenericAPIView):
    """The user's own login sessions, newest first."""

    serializer_class = LoginSessionSerializer

    def get_queryset(self):
        return LoginSession.objects.filter(user=self.request.user)[:100]

    def get_serializer_context(self):
        session = getattr(self.request.auth, "login_session", None)
        return {**super().get_serializer_context(), "current_session_id": str(session.pk) if session else None}

    def get(self, request):
        return Response({"results": self.get_serializer(self.get_queryset(), many=True).data})


class LoginSessionDetailView(APIView):
    """Revoke one of the user's own login sessions; anyone else's is not found."""

    @extend_schema(responses={204: None, 404: OpenApiResponse(description="not_found")})
    def delete(self, request, pk):
        try:
            session = LoginSession.objects.filter(pk=uuid.UUID(pk), user=request.user).first()
        except ValueError:
            session = None
        if session is None:
            raise NotFound("No such session.")
        session_end(session=session, reason=LoginSession.EndReason.REVOKED, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
