"""Record tracked requests: after the view ran, so the user DRF authenticated from the token is known."""

import time

from .services import activity_log_prune_if_due, activity_record_request
from .tracking import request_is_tracked


class ActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        # DRF authenticates inside the view; only now does `request.user` hold the token's user.
        if request_is_tracked(request):
            activity_record_request(
                request=request,
                status_code=response.status_code,
                duration_ms=(time.perf_counter() - started) * 1000,
            )
        activity_log_prune_if_due()
        return response
