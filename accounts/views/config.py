"""The inactivity policy in force, for the UI."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ..conf import accounts_settings
from ..serializers import ConfigSerializer


class ConfigView(APIView):
    """The policy the authentication enforces, read from the very same settings.

    Public, but a token sent along is still checked: no request with a dead session's token is answered.
    """

    permission_classes = (AllowAny,)

    @extend_schema(responses=ConfigSerializer)
    def get(self, request):
        return Response(ConfigSerializer(accounts_settings()).data)
