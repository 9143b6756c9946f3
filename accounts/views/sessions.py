"""The signed-in user, their login sessions, and the current session's clock."""

import uuid

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from ndfstudio.schema import ErrorSerializer

from ..authentication import request_login_session
from ..clock import SessionClock, session_clock_extend, session_clock_read
from ..models import LoginSession
from ..policies import session_warning_seconds
from ..serializers import (
    LoginSessionListSerializer,
    LoginSessionSerializer,
    MeSerializer,
    SessionStateSerializer,
    me_data,
)
from ..sessions import session_end

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="`not_found`: a legacy token belongs to no login session.")


def current_session(request) -> LoginSession:
    """Return the login session the request belongs to (read once, by the authentication)."""
    session = request_login_session(request)
    if session is None:
        raise NotFound("This token belongs to no login session.")
    return session


class MeView(GenericAPIView):
    serializer_class = MeSerializer  # what the schema describes; the answer is built plainly, to the same shape

    def get(self, request):
        return Response(me_data(request.user, request=request))


class SessionStateView(GenericAPIView):
    """Answers with the current login session's clock."""

    serializer_class = SessionStateSerializer

    def state(self, session: LoginSession, clock: SessionClock):
        data = {
            "session_id": session.pk,
            "user": session.user,
            "last_activity": clock.last_activity,
            "idle_expires_at": clock.idle_at,
            "expires_at": session.expires_at,
            "server_time": timezone.now(),
            "inactivity_threshold_minutes": session.idle_threshold.total_seconds() / 60,
            "policy_source": session.policy_source,
            "idle_type": clock.idle_type,
            "warning_seconds": session_warning_seconds(session),
        }
        return Response(self.get_serializer(data).data)


class SessionView(SessionStateView):
    """GET is passive: polling it keeps nobody alive."""

    @extend_schema(responses={200: SessionStateSerializer, 404: NOT_FOUND})
    def get(self, request):
        session = current_session(request)
        return self.state(session, session_clock_read(session=session))


class SessionExtendView(SessionStateView):
    """POST only: the explicit "stay signed in", which counts as activity."""

    @extend_schema(request=None, responses={200: SessionStateSerializer, 404: NOT_FOUND})
    def post(self, request):
        session = current_session(request)
        return self.state(session, session_clock_extend(session=session, now=timezone.now()))


class LoginSessionListView(GenericAPIView):
    """The user's own login sessions, newest first."""

    serializer_class = LoginSessionSerializer

    def get_queryset(self):
        return LoginSession.objects.filter(user=self.request.user)[:100]

    def get_serializer_context(self):
        session = request_login_session(self.request)
        return {**super().get_serializer_context(), "current_session_id": str(session.pk) if session else None}

    @extend_schema(responses=LoginSessionListSerializer)
    def get(self, request):
        return Response({"results": self.get_serializer(self.get_queryset(), many=True).data})


class LoginSessionDetailView(APIView):
    """Revoke one of the user's own login sessions; anyone else's is not found."""

    @extend_schema(responses={204: None, 404: OpenApiResponse(ErrorSerializer, description="`not_found`")})
    def delete(self, request, pk):
        try:
            session = LoginSession.objects.filter(pk=uuid.UUID(pk), user=request.user).select_related("user").first()
        except ValueError:
            session = None
        if session is None:
            raise NotFound("No such session.")
        session_end(session=session, reason=LoginSession.EndReason.REVOKED, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
