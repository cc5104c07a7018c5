"""How pytest-xdist deals the suite out to its workers (`make test-fast`: `-n auto --dist loadfile`).

The fixtures that make the suite fast need an order that xdist's own schedulers do not keep:

- the standard world is built once per test module, in a transaction held open across the module
  (`_module_world` in conftest.py), so a module's tests should all run on one worker, one after
  another: each time a module is split, its world is built again;
- the shared demo (`demo_built`) is built once per worker that runs one of its readers, in a
  transaction held to the end of that worker's run: its readers must come after every other test of
  that worker (a module world built inside the demo's transaction collides with it: the same user
  names). xdist's loadfile runs a file's demo readers with the file, before other files.

So with `--dist loadfile` this scheduler takes over: a work unit is a whole test file, and the demo
readers are one unit of their own, the last a worker is given (that worker is told to shut down with
it). Which tests read the demo only the workers know (the fixtures a test uses are resolved there):
each worker writes their ids to a file the controller reads once all have collected (xdist's own way,
the `xdist_group` mark, does not work with pytest 9: it renames `item._nodeid`, which pytest 9 no
longer reads). The units go longest first (times measured by a run with `--save-durations`, kept in
tests/durations.json; a file not measured yet is reckoned by its number of tests), and the demo unit
goes to the first worker that asks for work once it is at least as long as all the work left to the
other workers: the workers finish together instead of one waiting on the last long file. The serial
run (no -n) never comes here.
"""

from __future__ import annotations

import json
import pathlib
import tempfile
from collections import OrderedDict, defaultdict

import pytest
from xdist.scheduler import LoadScopeScheduling

DURATIONS = pathlib.Path(__file__).with_name("durations.json")
DEFAULT_PER_TEST = 0.4  # seconds: a test of a file with no measured time


DEMO_UNIT = "@demo"


def unit_of(nodeid: str, demo_readers: frozenset = frozenset()) -> str:
    """A test's work unit: its file, or DEMO_UNIT for a test that reads the shared demo."""
    return DEMO_UNIT if nodeid in demo_readers else nodeid.split("::", 1)[0]


READERS_KEY = "houqin_demo_readers_file"  # in a worker's workerinput, under this scheduler only


def write_demo_readers(config, nodeids: list[str]) -> None:
    """On a worker, after collection: the ids of the tests that read the shared demo, for the
    controller (only when it asked for them, see XdistPlugin.pytest_configure_node)."""
    path = getattr(config, "workerinput", {}).get(READERS_KEY)
    if path:
        partial = pathlib.Path(path + ".partial")
        partial.write_text(json.dumps(nodeids))
        partial.replace(path)


def read_demo_readers(nodes) -> frozenset:
    """On the controller, once every worker has collected: the demo readers one of them wrote (they all
    collect the same tests); the files are removed."""
    readers = None
    for node in nodes:
        path = pathlib.Path(node.workerinput[READERS_KEY])
        try:
            if readers is None:
                readers = frozenset(json.loads(path.read_text()))
            path.unlink()
        except (OSError, ValueError):
            continue
    if readers is None:
        raise RuntimeError("no xdist worker wrote the demo readers (conftest.pytest_collection_modifyitems)")
    return readers


def load_durations(path: pathlib.Path = DURATIONS) -> dict[str, float]:
    try:
        return {str(k): float(v) for k, v in json.loads(path.read_text()).items()}
    except (OSError, ValueError, AttributeError):
        return {}


class ModulesDemoLast(LoadScopeScheduling):
    """Whole files to a worker, longest first; the demo unit last on the worker that takes it."""

    demo_unit = DEMO_UNIT

    def __init__(self, config, log=None):
        super().__init__(config, log)
        self.estimates: dict[str, float] = {}
        self.demo_readers: frozenset = frozenset()

    def _split_scope(self, nodeid: str) -> str:
        return unit_of(nodeid, self.demo_readers)

    def _estimate(self, unit: str, work: dict[str, bool]) -> float:
        known = self.estimates.get(unit)
        if known is not None:
            return known
        return DEFAULT_PER_TEST * len(work)

    def _left(self, unit: str, work: dict[str, bool]) -> float:
        """The estimated time still to run of a unit given to a worker (by the share of its tests)."""
        return self._estimate(unit, work) * list(work.values()).count(False) / max(len(work), 1)

    def schedule(self) -> None:
        assert self.collection_is_completed
        if self.collection is not None:  # a node added later
            for node in self.nodes:
                self._reschedule(node)
            return
        if not self._check_nodes_have_same_collection():
            self.log("**Different tests collected, aborting run**")
            return
        self.collection = list(next(iter(self.registered_collections.values())))
        if not self.collection:
            return
        self.estimates = load_durations()
        self.demo_readers = read_demo_readers(self.nodes)
        units: dict[str, dict[str, bool]] = {}
        for nodeid in self.collection:
            units.setdefault(self._split_scope(nodeid), {})[nodeid] = False
        # Longest first; ties (and files not measured) in collection order.
        order = sorted(units, key=lambda unit: -self._estimate(unit, units[unit]))
        self.workqueue = OrderedDict((unit, units[unit]) for unit in order)
        for node in self.nodes:
            self._reschedule(node)
        for node in self.nodes:  # a second unit each while the first runs
            self._reschedule(node)

    def _choose(self, node) -> str | None:
        others = [unit for unit in self.workqueue if unit != self.demo_unit]
        if self.demo_unit not in self.workqueue:
            return others[0] if others else None
        if not others:
            return self.demo_unit
        helpers = [other for other in self.nodes if other is not node and not other.shutting_down]
        if not helpers:  # one worker: the demo at the very end
            return others[0]
        left = sum(self._estimate(unit, self.workqueue[unit]) for unit in others)
        left += sum(
            self._left(unit, work)
            for other in self.nodes if other is not node
            for unit, work in self.assigned_work[other].items()
        )
        demo = self._estimate(self.demo_unit, self.workqueue[self.demo_unit])
        return self.demo_unit if demo >= left / len(helpers) else others[0]

    def _assign(self, node, unit: str) -> None:
        work = self.workqueue.pop(unit)
        self.assigned_work.setdefault(node, {})[unit] = work
        indexes = self.registered_collections[node]
        node.send_runtest_some([indexes.index(nodeid) for nodeid, done in work.items() if not done])

    def _reschedule(self, node) -> None:
        if node.shutting_down:
            return
        if not self.workqueue:
            node.shutdown()
            return
        if self._pending_of(self.assigned_work[node]) > 2:
            return
        unit = self._choose(node)
        if unit is None:
            node.shutdown()
            return
        self._assign(node, unit)
        if unit == self.demo_unit:
            node.shutdown()  # the worker runs what it was given, the demo last, then stops


class XdistPlugin:
    """Registered by conftest.py on the xdist controller: `--dist loadfile` gets ModulesDemoLast, and
    with `--save-durations` each unit's time in this run (the sum of its tests' set-up, call and
    tear-down, as the workers report them) is written into tests/durations.json over the old figures
    of the same units."""

    def __init__(self, save_durations: bool = False):
        self.scheduler: ModulesDemoLast | None = None
        self.save_durations = save_durations
        self.times: dict[str, float] = defaultdict(float)

    def pytest_configure_node(self, node):
        if node.config.getvalue("dist") == "loadfile":
            node.workerinput[READERS_KEY] = str(pathlib.Path(tempfile.gettempdir()) / (
                f"houqin-xdist-{node.workerinput['testrunuid']}-{node.workerinput['workerid']}-demo-readers.json"))

    @pytest.hookimpl(tryfirst=True)
    def pytest_xdist_make_scheduler(self, config, log):
        if config.getvalue("dist") == "loadfile":
            self.scheduler = ModulesDemoLast(config, log)
            return self.scheduler
        return None

    def pytest_runtest_logreport(self, report):
        if self.save_durations and self.scheduler is not None:
            self.times[self.scheduler._split_scope(report.nodeid)] += report.duration

    def pytest_sessionfinish(self, session):
        if not self.times:
            return
        merged = load_durations()
        merged.update({unit: round(seconds, 1) for unit, seconds in self.times.items()})
        DURATIONS.write_text(json.dumps(dict(sorted(merged.items())), indent=1, ensure_ascii=False) + "\n")
