"""The inactivity policy in force, for the UI: the site's, or with a token, its session's."""

import dataclasses

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ..authentication import request_login_session
from ..conf import accounts_settings
from ..serializers import ConfigSerializer


class ConfigView(APIView):
    """The policy the authentication enforces, read from the very same settings.

    Public, but a token sent along is still checked: no request with a dead session's token is answered.
    """

    permission_classes = (AllowAny,)

    @extend_schema(responses=ConfigSerializer)
    def get(self, request):
        conf, context = accounts_settings(), {}
        session = request_login_session(request)
        if session is not None:  # called with a token: the values this session is held to
            conf = dataclasses.replace(
                conf,
                INACTIVITY_THRESHOLD=session.idle_threshold,
                SESSION_MAX_AGE=session.expires_at - session.created_at,
                WARNING_SECONDS=session.warning_seconds or conf.WARNING_SECONDS,
            )
            context["policy_source"] = session.policy_source
        return Response(ConfigSerializer(conf, context=context).data)
