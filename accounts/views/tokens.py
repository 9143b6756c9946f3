"""The token endpoints: log in, refresh, log out."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from ndfstudio.schema import ErrorSerializer

from ..authentication import InactivityJWTAuthentication
from ..cookies import refresh_cookie_delete, refresh_cookie_read, refresh_cookie_set
from ..models import LoginSession
from ..serializers import LoginSerializer, RefreshSerializer
from ..sessions import session_end, session_for_token, session_refresh
from ..throttling import LoginIPThrottle, LoginUsernameThrottle, login_failure_record
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


class LoginView(TokenEndpoint):
    """Start a login session: return its access and refresh tokens (the refresh one also as a cookie)."""

    throttle_classes = (LoginIPThrottle, LoginUsernameThrottle)
    serializer_class = LoginSerializer

    def get_throttles(self):
        # The same instances that allowed the request must count its failure.
        if not hasattr(self, "_throttles"):
            self._throttles = super().get_throttles()
        return self._throttles

    @extend_schema(responses={200: LoginSerializer})
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except AuthenticationFailed:
            login_failure_record(request=request, throttles=self.get_throttles())
            raise
        response = Response(serializer.validated_data)
        refresh_cookie_set(response, serializer.refresh_token)
        return response


class RefreshView(TokenEndpoint):
    """Exchange a refresh token (body or cookie) for new tokens, only while the session is alive."""

    serializer_class = RefreshSerializer

    @extend_schema(responses={200: RefreshSerializer, 403: CSRF_FAILED})
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        raw = serializer.validated_data.get("refresh") or refresh_cookie_read(request)
        if not raw:
            raise InvalidToken("No refresh token: send it as `refresh` or in the refresh cookie")
        session, refresh, access = session_refresh(raw_refresh=raw, request=request)
        response = Response({"access": str(access), "refresh": str(refresh), "session_id": str(session.pk)})
        refresh_cookie_set(response, refresh)
        return response


class LogoutView(APIView):
    """End the login session of the bearer token (or, for browsers, of the refresh cookie)."""

    permission_classes = (AllowAny,)

    @extend_schema(request=None, responses={204: None, 403: CSRF_FAILED})
    def post(self, request):
        session = None
        if request.auth is not None:
            session = getattr(request.auth, "login_session", None)  # None for a legacy token: nothing to end
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
        response = Response(status=status.HTTP_204_NO_CONTENT)
        refresh_cookie_delete(response)
        return response
