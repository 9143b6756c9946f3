"""`GET /api/logs/stats`: activity counts per hour and per day, sessions by end reason, session lengths.

Passive (under /api/logs/). A user reads their own numbers; staff read anyone's (`user_id`) or everyone's.
"""

import re
from datetime import UTC, date, datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from ndfstudio.schema import ErrorSerializer

from . import analytics
from .buffer import audit_buffer
from .views import POSITIVE_INT, InvalidParameter, _positive_int

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", flags=re.ASCII)


def _date(request, name: str) -> date | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        if not ISO_DATE.fullmatch(raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidParameter(f"Invalid '{name}': must be a date as YYYY-MM-DD, got {raw[:40]!r}.") from None


def stats_range(request) -> analytics.Range:
    """The range and whose numbers a request asks for, validated; staff may ask for anyone's or everyone's."""
    today = datetime.now(UTC).date()
    first, last = analytics.range_bounded(first=_date(request, "from"), last=_date(request, "to"), today=today)
    user_id = _positive_int(request, "user_id")
    if not request.user.is_staff:
        if user_id is not None and user_id != request.user.pk:
            raise PermissionDenied("You may only read your own activity ('user_id').")
        user_id = request.user.pk
    return analytics.Range(first=first, last=last, user_ids=None if user_id is None else (user_id,))


def stats_for(scope: analytics.Range) -> dict:
    ends = analytics.session_ends_per_day(scope)
    started = analytics.events_per_day(scope, analytics.LOGIN_SUCCEEDED)
    return {
        "from": scope.first.isoformat(),
        "to": scope.last.isoformat(),
        "user_id": scope.user_ids[0] if scope.user_ids else None,
        "per_hour": [{"hour": hour.isoformat(), "count": n} for hour, n in analytics.requests_per_hour(scope)],
        "per_day": [{"date": day.isoformat(), "count": n} for day, n in analytics.requests_per_day(scope)],
        "sessions": {
            "started": sum(n for _, n in started),
            "ended": {reason: sum(day[reason] for _, day in ends) for reason in analytics.END_REASONS},
            "per_day": [
                {"date": day.isoformat(), "started": n, "ended": ended}
                for (day, n), (_, ended) in zip(started, ends, strict=True)
            ],
        },
        "session_length_minutes": analytics.session_lengths(scope),
    }


class StatsView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description="First UTC day (default: 29 days before `to`); at most 366 days."
            ),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last UTC day, included (default, at most: today)."),
            OpenApiParameter("user_id", POSITIVE_INT, description="Staff: anyone's (absent: everyone's); else yours."),
        ],
        responses={
            200: OpenApiTypes.OBJECT,
            400: OpenApiResponse(ErrorSerializer, description="`invalid_parameter`, naming the parameter."),
            403: OpenApiResponse(ErrorSerializer, description="`permission_denied`: another user's `user_id`."),
        },
    )
    def get(self, request):
        scope = stats_range(request)
        audit_buffer.flush()  # what this process has queued counts too
        return Response(stats_for(scope))
