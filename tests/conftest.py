"""Run order: the tests that wait for real time (browser, then live) start first, so that under pytest-xdist
they overlap each other and the quick unit tests fill the gaps, instead of one long test finishing the run alone."""

import pytest


def _slowness(item: pytest.Item) -> int:
    if item.get_closest_marker("browser"):
        return 0
    if item.get_closest_marker("live"):
        return 1
    return 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_slowness)  # stable: files keep their order within each kind
