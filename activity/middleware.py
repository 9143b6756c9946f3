"""Record tracked requests: after the view ran, when the response is known."""

import time

from .recording import activity_record_request
from .retention import activity_log_prune_if_due
from .tracking import request_tracked


class ActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        # DRF authenticates inside the view: only now do we know whether authentication accepted a tracked request.
        tracked = request_tracked(request)
        if tracked is not None:
            activity_record_request(
                request=request,
                tracked=tracked,
                status_code=response.status_code,
                duration_ms=(time.perf_counter() - started) * 1000,
            )
        activity_log_prune_if_due()
        return response
