"""Parallel runs (pytest-xdist): tests that wait for real time start first; tests sharing servers share a worker.

`make test` runs `pytest -n 4 --dist loadgroup`. xdist's own loadgroup reads `xdist_group` marks by rewriting each
item's node id, which pytest 9 no longer lets it do, so the groups are named here instead, by node id.
"""

import pytest
from xdist.scheduler import LoadScopeScheduling

# Modules whose tests share servers started once per module (and per parameter of the module's fixture): all their
# tests with one parameter run on one worker, one after the other, which starts those servers once.
SHARED_SERVERS = ("tests/test_multiprocess.py", "tests/test_seed_script.py")


def _slowness(item: pytest.Item) -> int:
    if item.get_closest_marker("browser"):
        return 0
    if item.get_closest_marker("live"):
        return 1
    return 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Browser and live tests first: they overlap each other and the quick unit tests fill the gaps, instead of one
    # long test finishing the run alone. The sort is stable: files keep their order within each kind.
    items.sort(key=_slowness)


class SharedServerScheduling(LoadScopeScheduling):
    """xdist's `load` distribution, test by test in collection order, except that SHARED_SERVERS go in groups."""

    def _split_scope(self, nodeid: str) -> str:
        module, _, name = nodeid.partition("::")
        if module not in SHARED_SERVERS:
            return nodeid
        return module + (name[name.index("[") :] if "[" in name else "")


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    config.option.loadscopereorder = False  # keep the slow-first order above
    return SharedServerScheduling(config, log)
