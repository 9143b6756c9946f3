"""Follow Django's news: a request that failed unexpectedly (an ERROR row), a change made in the admin (SECURITY)."""

import sys

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.signals import got_request_exception
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import ActivityLog
from .recording import activity_record


@receiver(got_request_exception)
def record_unexpected_failure(sender, request=None, **kwargs):
    exc = sys.exception()
    activity_record(
        category=ActivityLog.Category.ERROR,
        event="server_error",
        message=f"Unexpected failure: {type(exc).__name__}",
        request=request,
        status_code=500,
    )


@receiver(post_save, sender=LogEntry)
def record_admin_change(sender, *, instance: LogEntry, created: bool, **kwargs):
    """Every change made in the admin is a SECURITY row naming who made it (the actor) and what it touched."""
    if not created:
        return
    verb = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}.get(instance.action_flag, "touched")
    model = instance.content_type.model if instance.content_type_id else "object"
    change = instance.get_change_message()
    activity_record(
        category=ActivityLog.Category.SECURITY,
        event="admin_change",
        message=f"Staff {instance.user} {verb} {model} {instance.object_repr!r} (id {instance.object_id})"
        + (f": {change}" if change else ""),
        user=instance.user,
    )
