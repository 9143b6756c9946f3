"""Reading the activity log."""

from django.db.models import QuerySet

from .models import ActivityLog

MAX_LIMIT = 500


def activity_log_recent(*, user_id=None, category: str | None = None, limit: int = 50) -> QuerySet[ActivityLog]:
    """Return the newest rows first, optionally of one user and one category, at most `limit` (capped)."""
    rows = ActivityLog.objects.all()
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    if category is not None:
        rows = rows.filter(category=category)
    return rows.order_by("-timestamp", "-id")[: min(limit, MAX_LIMIT)]
