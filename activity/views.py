"""The recent-logs API: a user reads their own rows; staff read anyone's."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from ndfstudio.schema import ErrorSerializer

from .buffer import audit_buffer
from .models import ActivityLog
from .selectors import activity_log_recent
from .serializers import ActivityLogListSerializer, activity_log_data


class InvalidParameter(APIException):
    status_code = 400
    default_detail = "Invalid query parameter."
    default_code = "invalid_parameter"


def _positive_int(request, name: str) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    # ASCII digits only: str.isdigit() is also true of "²" and "①" (which int() refuses) and "٣" (which it takes).
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18 or int(raw) < 1:
        raise InvalidParameter(f"Invalid '{name}': must be a positive whole number, got {raw[:40]!r}.")
    return int(raw)


# As _positive_int reads them: 1 to 18 ASCII digits.
POSITIVE_INT = {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}


class RecentLogsView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "category", OpenApiTypes.STR, enum=[*ActivityLog.Category.values, ""], description="Empty: all."
            ),
            OpenApiParameter("user_id", POSITIVE_INT, description="Staff only, or your own id."),
            OpenApiParameter("limit", POSITIVE_INT, description="Default 50; more than 500 is served as 500."),
        ],
        responses={
            200: ActivityLogListSerializer,
            403: OpenApiResponse(ErrorSerializer, description="`permission_denied`: another user's `user_id`."),
        },
    )
    def get(self, request):
        category = request.query_params.get("category", "").strip().upper() or None
        if category is not None and category not in ActivityLog.Category.values:
            choices = ", ".join(ActivityLog.Category.values)
            raise InvalidParameter(f"Invalid 'category': must be one of {choices}.")
        limit = _positive_int(request, "limit") or 50
        user_id = _positive_int(request, "user_id")
        if not request.user.is_staff:
            if user_id is not None and user_id != request.user.pk:
                raise PermissionDenied("You may only read your own activity ('user_id').")
            user_id = request.user.pk
        audit_buffer.flush()  # what this process has queued is part of "recent"
        rows = activity_log_recent(user_id=user_id, category=category, limit=limit)
        results = activity_log_data(rows=rows)
        return Response({"results": results, "count": len(results)})
