"""Timing views in process, for the benches that run a script of cases in a project process (scale, analytics)."""

import statistics
import time


def cases_time(cases: dict, runs: int) -> dict:
    """Time each case, `{name: (client, url, token or None)}`, `runs` times after one warm-up; each must answer 200.

    Return `{name: {"median": ms, "max": ms, "url": url}}`. A streamed answer is read to its end.
    """
    results = {}
    for name, (client, url, token) in cases.items():
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        times = []
        for n in range(runs + 1):
            started = time.perf_counter()
            response = client.get(url, **headers)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (name, url, response.status_code, response.content[:300])
            if n:
                times.append(elapsed)
        results[name] = {"median": statistics.median(times), "max": max(times), "url": url}
    return results
