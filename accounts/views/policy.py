"""The user's own inactivity threshold: read it (passive), choose it within their range (tracked)."""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ..models import UserPolicy
from ..policies import MINUTE, policy_apply, policy_choose, policy_for
from ..serializers import PolicySerializer


class PolicyView(GenericAPIView):
    serializer_class = PolicySerializer

    def answer(self, policy):
        return Response(
            {
                "inactivity_threshold_minutes": policy.threshold / MINUTE,
                "source": policy.source,
                "min": policy.minimum / MINUTE,
                "max": policy.maximum / MINUTE,
            }
        )

    def get(self, request):
        return self.answer(policy_for(request.user))

    @extend_schema(request=PolicySerializer)
    def put(self, request):
        policy = policy_for(request.user)
        serializer = self.get_serializer(
            data=request.data, context={"bounds": (policy.minimum / MINUTE, policy.maximum / MINUTE)}
        )
        serializer.is_valid(raise_exception=True)
        minutes = serializer.validated_data["inactivity_threshold_minutes"]
        if minutes is None:
            UserPolicy.objects.filter(user=request.user).delete()
            policy_apply(user=request.user)
            return self.answer(policy_for(request.user))
        return self.answer(policy_choose(user=request.user, minutes=minutes))
