"""Fixtures for every test: the standard world, logged-in clients, and the browser set-up."""

import contextlib
import datetime as dt
import gc
import os
import shutil
import zoneinfo

import pytest
import time_machine

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# The suite runs on a fixed clock: "today" is a school day in the autumn term at 09:30 in Shanghai,
# whatever the date the suite runs on. HOUQIN_TEST_TODAY=YYYY-MM-DD moves the whole suite to another
# day. Tests marked `date_sensitive` run again on each day of DATE_SPREAD (term start, a Monday, a
# month end, a national holiday, a weekend, the winter holiday, the spring term).
TEST_TODAY = dt.date.fromisoformat(os.environ.get("HOUQIN_TEST_TODAY", "2026-11-25"))
DATE_SPREAD = {
    "term-start": dt.date(2026, 9, 1),
    "national-day": dt.date(2026, 10, 1),
    "monday": dt.date(2026, 11, 16),
    "month-end": dt.date(2026, 11, 30),
    "friday": dt.date(2026, 12, 4),
    "weekend": dt.date(2026, 12, 5),
    "winter-holiday": dt.date(2027, 2, 8),
    "spring-term": dt.date(2027, 3, 1),
}
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# The standard world of a test module is built the day before the first day any test runs on.
WORLD_DAY = min(TEST_TODAY, *DATE_SPREAD.values()) - dt.timedelta(days=1)


def clock_at(day: dt.date, hour: int = 9, minute: int = 30):
    """A running clock (it ticks) that starts on `day` at hour:minute, Shanghai time."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI), tick=True)


def pytest_addoption(parser):
    parser.addoption(
        "--save-durations", action="store_true",
        help="under xdist: write each test file's time in this run to tests/durations.json (the "
             "scheduler of `make test-fast` deals the longest files out first)")


def pytest_configure(config):
    # From the start, before test modules are imported: dates computed at import or collection
    # (parametrize lists) read the same clock as the tests.
    clock_at(TEST_TODAY).start()
    # Under xdist with --dist loadfile (make test-fast) the controller deals out whole test files,
    # longest first, and the demo readers as one unit last on its worker (tests/scheduling.py).
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        from tests import scheduling

        config.pluginmanager.register(scheduling.XdistPlugin(config.getoption("save_durations")),
                                      "houqin-xdist-scheduling")


def pytest_collection_finish(session):
    """Python's cyclic garbage collector, tuned for a test run: a full collection walks every live
    object, and a run holds one to three million (the modules, Django's apps and URL patterns, the
    collected tests). Those alive once the tests are collected stay to the end, so they are frozen
    (gc.freeze: left out of every later collection), and the youngest generation is collected every
    10,000 allocations instead of 700. The API fuzz spent ~25 s of its run in full collections; the
    health and staff tests run ~5 % faster. Garbage is still collected, only less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("date_sensitive") and "clock_day" in metafunc.fixturenames:
        metafunc.parametrize("clock_day", list(DATE_SPREAD.values()), ids=list(DATE_SPREAD), indirect=True)


@pytest.fixture
def clock_day(request):
    """The day the test's clock starts on: TEST_TODAY, or each day of DATE_SPREAD for a test marked
    `date_sensitive`."""
    return getattr(request, "param", TEST_TODAY)


@pytest.fixture(autouse=True)
def _fixed_clock(clock_day):
    with clock_at(clock_day):
        yield clock_day


@pytest.fixture(scope="session")
def demo_built(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo (`manage.py seed_demo` on the suite's day), built once for the whole run and shared by
    the tests that only read it: a build takes a minute, and some forty tests read one.

    It is built twice: first inside a transaction rolled back at once, then for keeps; each snapshot
    registered with houqin.testing.demo_snapshot is taken of both (`built["snapshots"][name]` is the
    pair), so the areas' determinism tests cost no build of their own. The kept build goes through
    the command, whose output is `built["output"]`.

    It is built inside a transaction that is rolled back when the run ends; each test's own changes
    roll back at its end as usual (its transaction is a savepoint inside this one). The tests that
    use it run last (pytest_collection_modifyitems), so no other test ever sees the demo. A module's
    world still open when it is built (its module's other tests ran just before: pytest keeps a
    module fixture to the module's last test) is closed first, its rows rolled back."""
    import io

    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    from houqin.org import demo
    from houqin.org.management.commands import seed_demo
    from houqin.testing import DEMO_SNAPSHOTS

    class _RolledBack(Exception):
        pass

    for close in list(_OPEN_WORLDS.values()):
        close()
    with _held_transaction(django_db_blocker), _demo_open():
        with django_db_blocker.unblock(), clock_at(TEST_TODAY), \
                override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-media")):
            first = {}
            try:
                with transaction.atomic(), contextlib.ExitStack() as stack:
                    for _, during in DEMO_SNAPSHOTS.values():
                        if during is not None:
                            stack.enter_context(during())
                    demo.build_demo()
                    first = {name: fn() for name, (fn, _) in DEMO_SNAPSHOTS.items()}
                    raise _RolledBack
            except _RolledBack:
                pass
            command, output = seed_demo.Command(), io.StringIO()
            call_command(command, stdout=output)
            built = dict(command.result)
            built["output"] = output.getvalue()
            built["snapshots"] = {name: (first[name], fn()) for name, (fn, _) in DEMO_SNAPSHOTS.items()}
        yield built


# The module worlds whose transaction is open now (at most one: pytest ends a module's fixtures before
# the next module's), by id of the world: their closers; and whether the shared demo is open.
_OPEN_WORLDS: dict = {}
_DEMO_OPEN: list = []


@contextlib.contextmanager
def _demo_open():
    _DEMO_OPEN.append(True)
    try:
        yield
    finally:
        _DEMO_OPEN.clear()


@contextlib.contextmanager
def _held_transaction(django_db_blocker):
    """A transaction held open across the tests of a fixture wider than one test (the shared demo, a
    module's world) and rolled back at its end, whatever happened: each test's own transaction is a
    savepoint inside it. What the fixture writes inside it, it writes under django_db_blocker.unblock().
    It yields its closer: `close()` rolls it back before the end (then the end does nothing); only
    while no transaction opened after it is still open."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    is_open = [True]

    def close():
        if is_open:
            is_open.clear()
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)

    try:
        yield close
    finally:
        close()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """The tests that read the shared demo (fixture demo_built) run last, after every other test
    (pytest-django has already put the transactional ones last of the rest): the demo's transaction
    stays open from the first of them to the end of the run."""
    for item in items:  # the module's world before the test's transaction (see _module_world)
        names = getattr(item, "fixturenames", None)
        if names is not None and "world" in names and not _transactional(item) and _uses_root_world(item):
            names.insert(0, "_module_world")
    # Within each run of a module's tests, those without the world first: the world lives from the
    # first test that asks for it to the end of the run, and a test that did not ask for it (one that
    # builds the demo's organisation, say) must not find its rows.
    runs, ordered = [], []
    for item in items:
        if runs and runs[-1][0] is getattr(item, "module", None):
            runs[-1][1].append(item)
        else:
            runs.append((getattr(item, "module", None), [item]))
    for _module, run in runs:
        ordered += sorted(run, key=lambda item: "_module_world" in getattr(item, "fixturenames", ()))
    items[:] = ordered
    shared = [item for item in items if "demo_built" in getattr(item, "fixturenames", ())]
    if shared:
        ids = {id(item) for item in shared}
        items[:] = [item for item in items if id(item) not in ids] + shared
    if hasattr(config, "workerinput"):  # an xdist worker: which tests read the demo, for tests/scheduling.py
        from tests import scheduling

        scheduling.write_demo_readers(config, [item.nodeid for item in shared])


def _transactional(item) -> bool:
    """Whether pytest-django runs this test outside a transaction (its tables flushed at the end)."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(item.fixturenames))


def _uses_root_world(item) -> bool:
    """Whether the test's `world` is this file's (the browser tests and some concurrency tests
    define their own, built outside a transaction)."""
    defs = getattr(item, "_fixtureinfo", None) and item._fixtureinfo.name2fixturedefs.get("world")
    return bool(defs) and defs[-1].func.__module__ == __name__


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    """The standard world, built once per test module inside a transaction that stays open until the
    module's last test and is then rolled back; each test's own transaction is a savepoint inside it
    (as Django's TestCase.setUpTestData). It is set up before the test's database fixture
    (pytest_collection_modifyitems puts it first), on WORLD_DAY, the day before every day the suite
    runs on: the world's rows and their history come before anything a test does."""
    from houqin.testing import build_world

    if _DEMO_OPEN:
        pytest.fail("a module's world asked for after the shared demo was built (its transaction is open "
                    "to the end of the run): the demo's readers must run after every other test", pytrace=False)
    with _held_transaction(django_db_blocker) as close:
        with django_db_blocker.unblock(), clock_at(WORLD_DAY):
            built = build_world()
        _OPEN_WORLDS[id(built)] = close
        try:
            yield built
        finally:
            del _OPEN_WORLDS[id(built)]


@pytest.fixture
def world(request, db):
    """The standard world (houqin.testing.build_world). A test inside a transaction gets a deep copy
    of its module's world (the rows are built once per module; the copy keeps one test's changes to
    the objects from the next, as the rollback does for the rows); a transactional test builds its
    own, since its tables are flushed at its end."""
    import copy

    if "_module_world" in request.fixturenames:
        built = request.getfixturevalue("_module_world")
        if id(built) not in _OPEN_WORLDS:
            pytest.fail("this module's world was closed for the shared demo: a test that uses it ran after "
                        "one that reads the demo", pytrace=False)
        return copy.deepcopy(built)
    from houqin.testing import build_world

    return build_world()


def csrf_client_class():
    """A test client with Django's CSRF checks on that behaves like the browser: it holds the CSRF
    cookie and sends the token with every unsafe request (header X-CSRFToken, as htmx and the
    pages' forms do). `without_token=True` on a request leaves it out, to show the check holds."""
    from django.conf import settings
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    class CsrfClient(Client):
        def __init__(self, **kwargs):
            super().__init__(enforce_csrf_checks=True, **kwargs)
            self.csrf_token = _get_new_csrf_string()
            self.cookies[settings.CSRF_COOKIE_NAME] = self.csrf_token

        def generic(self, method, path, *args, without_token=False, **extra):
            if method.upper() not in ("GET", "HEAD", "OPTIONS", "TRACE") and not without_token:
                extra.setdefault("HTTP_X_CSRFTOKEN", self.csrf_token)
            return super().generic(method, path, *args, **extra)

    return CsrfClient


@pytest.fixture
def login(client):
    """`login(user)` → a Django test client logged in as that user, with CSRF checks on (it sends
    the token like the browser; `client.post(..., without_token=True)` does not)."""
    CsrfClient = csrf_client_class()

    def _login(user):
        c = CsrfClient()
        c.force_login(user)
        return c

    return _login


@pytest.fixture(autouse=True, scope="session")
def _force_login_is_verified():
    """Two-step sign-in stays on in the tests; a test client's `force_login` gives a session that has
    given the code too (houqin.testing.verify_session). Tests of the code step sign in through the
    login page or with houqin.testing.force_login_unverified."""
    from django.test import Client

    from houqin.testing import force_login_verifying

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "force_login", force_login_verifying(Client.force_login))
        yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the menu's to-do counts are cached per user id)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make system-deps)", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--disable-gpu"]}
