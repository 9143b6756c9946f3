"""Follow Django's news of a request that failed unexpectedly: leave an ERROR row for the operators."""

import sys

from django.core.signals import got_request_exception
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
