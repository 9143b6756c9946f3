"""The user's own inactivity threshold: read it (passive), choose it within their range (tracked)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from ndfstudio.parsers import SafeJSONParser

from ..policies import MINUTE, policy_choose, policy_for
from ..serializers import PolicySerializer


class PolicyView(APIView):
    parser_classes = (SafeJSONParser,)  # a JSON null goes back to the group's or site's; a form cannot say null

    def answer(self, policy):
        return Response(
            {
                "inactivity_threshold_minutes": policy.threshold / MINUTE,
                "source": policy.source,
                "min": policy.minimum / MINUTE,
                "max": policy.maximum / MINUTE,
            }
        )

    @extend_schema(responses=PolicySerializer)
    def get(self, request):
        return self.answer(policy_for(request.user))

    @extend_schema(request=PolicySerializer, responses=PolicySerializer)
    def put(self, request):
        policy = policy_for(request.user)
        serializer = PolicySerializer(
            data=request.data, context={"bounds": (policy.minimum / MINUTE, policy.maximum / MINUTE)}
        )
        serializer.is_valid(raise_exception=True)
        minutes = serializer.validated_data["inactivity_threshold_minutes"]
        return self.answer(policy_choose(user=request.user, minutes=minutes))
