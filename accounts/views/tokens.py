"""The token endpoints: log in, refresh, recover, log out."""

from django.contrib import auth
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from ndfstudio.schema import THROTTLED, ErrorSerializer

from ..authentication import InactivityJWTAuthentication, request_login_session
from ..cookies import refresh_cookie_delete, refresh_cookie_only, refresh_cookie_read, refresh_cookie_set
from ..legacy import legacy_tokens_cut
from ..models import LoginSession
from ..recovery import session_recover
from ..refresh import session_refresh
from ..rejections import token_rejection_record
from ..serializers import LoginSerializer, LogoutAllSerializer, RecoverSerializer, RefreshSerializer
from ..sessions import session_end, session_for_token, sessions_end_all
from ..throttling import login_attempt_reserve, login_failure_record, login_username
from ..tokens import SessionRefreshToken

CSRF_FAILED = OpenApiResponse(ErrorSerializer, description="`permission_denied`: the refresh cookie without CSRF.")


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

    def raw_refresh(self, request, body_token: str | None) -> tuple[str | None, bool]:
        """The refresh token of the body, else of the cookie (after its CSRF check); and whether it was the cookie."""
        return (body_token, False) if body_token else (refresh_cookie_read(request), True)

    def tokens(self, request, *, session, refresh, access, asked=False, from_cookie=False) -> Response:
        """Answer with a session's new tokens: the refresh one as the cookie, and in the body only for API clients."""
        data = {"access": str(access), "refresh": str(refresh), "session_id": str(session.pk)}
        if refresh_cookie_only(request, asked=asked, from_cookie=from_cookie):
            del data["refresh"]
        response = Response(data)
        refresh_cookie_set(response, refresh)
        return response


class LoginView(TokenEndpoint):
    """Start a login session: return its access and refresh tokens (the refresh one also as a cookie)."""

    serializer_class = LoginSerializer

    @extend_schema(responses={200: LoginSerializer, 429: THROTTLED})  # counted by throttling.py, not DRF's classes
    def post(self, request):
        username = login_username(request.data)
        attempt = login_attempt_reserve(request=request, username=username)  # counted before the password is checked
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except AuthenticationFailed:
            login_failure_record(request=request, username=username, attempt=attempt)
            raise
        finally:
            attempt.release()  # unless it failed: a success or a malformed request never counts
        session, refresh, access = serializer.started
        return self.tokens(
            request, session=session, refresh=refresh, access=access, asked=serializer.refresh_cookie_only
        )


class RefreshView(TokenEndpoint):
    """Exchange a refresh token (body or cookie) for new tokens, only while the session is alive."""

    serializer_class = RefreshSerializer

    @extend_schema(responses={200: RefreshSerializer, 403: CSRF_FAILED})
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        raw, from_cookie = self.raw_refresh(request, serializer.validated_data.get("refresh"))
        if not raw:
            raise InvalidToken("No refresh token: send it as `refresh` or in the refresh cookie")
        try:
            session, refresh, access = session_refresh(raw_refresh=raw, request=request)
        except AuthenticationFailed as exc:  # forged, wrong type, ended...: traced like a refused access token
            token_rejection_record(request=request, exc=exc, kind="refresh")
            raise
        return self.tokens(request, session=session, refresh=refresh, access=access, from_cookie=from_cookie)


class RecoverView(TokenEndpoint):
    """Go on after an idle sign-out or the session's maximum: the ended session's last refresh token (body or
    cookie) and the password start a new session, answered as a login (accounts/recovery.py)."""

    serializer_class = RecoverSerializer

    @extend_schema(responses={200: LoginSerializer, 403: CSRF_FAILED, 429: THROTTLED})
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        raw, from_cookie = self.raw_refresh(request, serializer.validated_data.get("refresh"))
        password = serializer.validated_data["password"]
        session, refresh, access = session_recover(raw_refresh=raw, password=password, request=request)
        asked = serializer.validated_data["refresh_cookie_only"]
        return self.tokens(
            request, session=session, refresh=refresh, access=access, asked=asked, from_cookie=from_cookie
        )


class LogoutView(APIView):
    """End the login session of the bearer token, the Django session, or (for the web UI) the refresh cookie."""

    permission_classes = (AllowAny,)

    @extend_schema(request=None, responses={204: None, 403: CSRF_FAILED})
    def post(self, request):
        session, user_id = None, None
        if request.user.is_authenticated:
            session = request_login_session(request)  # None for a legacy token
            user_id = request.user.pk  # a legacy token has no session: its user's legacy tokens end instead
            if request.auth is None:
                auth.logout(request._request)  # the Django session goes with its login session
        else:
            raw = refresh_cookie_read(request)
            if raw is None:
                raise NotAuthenticated()
            try:
                session = session_for_token(token=SessionRefreshToken(raw))
            except (TokenError, InvalidToken, KeyError):
                session = None  # a dead cookie: nothing to end, but still clear it
        if session is not None:
            session_end(session=session, reason=LoginSession.EndReason.LOGOUT, request=request)
            user_id = session.user_id
        if user_id is not None:  # a sign-out also ends every legacy token of the user (accounts/legacy.py)
            legacy_tokens_cut(user_id=user_id, at=timezone.now())
        response = Response(status=status.HTTP_204_NO_CONTENT)
        refresh_cookie_delete(response)
        return response


class LogoutAllView(APIView):
    """End every login session of the signed-in user, this one included; say how many."""

    @extend_schema(request=None, responses={200: LogoutAllSerializer})
    def post(self, request):
        ended = sessions_end_all(user=request.user, reason=LoginSession.EndReason.LOGOUT, request=request)
        legacy_tokens_cut(user_id=request.user.pk, at=timezone.now())  # and every token from before sessions
        response = Response({"ended": ended})
        if request.auth is None:
            auth.logout(request._request)
        refresh_cookie_delete(response)
        return response
