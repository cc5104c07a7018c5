"""The API as published: a bounded schemathesis run over every operation of /api/openapi.json.

Signed in (by API token) as staff roles of the test world, each operation gets a few generated
requests; the run fails on any 500 and on any response that does not match the published schema.
HOUQIN_FUZZ_EXAMPLES raises the number of examples per operation for a deeper run by hand.
"""

from __future__ import annotations

import contextlib
import gc
import os

import pytest

from houqin.org.models import Role

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("HOUQIN_FUZZ_EXAMPLES", "3"))
ROLES = (Role.PRINCIPAL, Role.HEALTH_TEACHER, Role.STOREKEEPER)


@pytest.fixture
def published(world, login):
    """/api/openapi.json as a signed-in principal reads it. Fetched before `wsgi_app` unhooks the
    connection cleanup: Django's test client hooks it back after each of its requests."""
    return login(world.k1.users[Role.PRINCIPAL]).get("/api/openapi.json").json()


@pytest.fixture
def wsgi_app(published):
    """Django's WSGI handler in this process, on the test's database connection (as Django's test
    client does, requests must not close the connection of the test's transaction — on PostgreSQL
    closing it would end the test's transaction)."""
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _schema(raw, app):
    import schemathesis

    schema = schemathesis.openapi.from_dict(raw)
    schema.app = app
    return schema


@contextlib.contextmanager
def _collected_as_a_batch():
    """The cyclic garbage collector of this process, for the run, at thresholds made for a long batch
    (young collections every 100,000 allocations instead of 700, full ones ten times rarer), then
    put back. The process holds ~0.6 million objects when the run starts and 1.2-3 million at its
    end (schemathesis' settings per operation, pypinyin's dictionaries loaded on first use, lists of
    URL patterns tried that something keeps: not found yet), and each full collection walks them
    all: measured with gc.callbacks, 31 full collections took ~25 s of a ~150 s run. Only when this
    test process collects changes, not what the app does."""
    previous = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def _summary(exc) -> str:
    failures = exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]
    parts = []
    for failure in failures:
        message = str(getattr(failure, "message", "") or failure).strip().splitlines()
        detail = next((line.strip() for line in message[1:] if line.strip()), "")
        parts.append(f"{getattr(failure, 'title', type(failure).__name__)} ({message[0] if message else ''} {detail})")
    return "; ".join(parts)


def _check(case, response, headers) -> str | None:
    """The published checks on one answer: no 500, and the answer as /api/openapi.json says."""
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    try:
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance],
                               headers=headers)
    except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every failed check is reported
        return (f"{case.operation.label} → {response.status_code}: {_summary(exc)}\n"
                f"    {case.as_curl_command(headers={'Authorization': '…'})[:600]}")
    return None


def _exercise(operation, headers, examples: int, problems: list[str]) -> list:
    """`examples` requests drawn by hypothesis for one operation, each sent and checked as it is drawn
    (schemathesis draws later cases with what earlier answers told it). Returns the cases sent."""
    from hypothesis import HealthCheck, Phase, given, settings

    cases = []
    strategy = operation.as_strategy(path_parameters={"kg": "k1"})

    # deadline off: a request's time is the app's, not a failure; no example database, derandomized:
    # the same examples on every run; only the explicit and generate phases: the examples it draws,
    # no replay of a saved database and no shrinking (a failure is reported with its curl line, not
    # minimised); health checks off: a strategy that filters much or draws large bodies is expected.
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        cases.append(case)
        problem = _check(case, case.call(headers=headers), headers)
        if problem:
            problems.append(problem)

    run()
    return cases


def _replay(cases, headers, problems: list[str]) -> None:
    """Cases already drawn, sent again under another role and checked the same way."""
    for case in cases:
        problem = _check(case, case.call(headers=headers), headers)
        if problem:
            problems.append(problem)


def test_every_operation_answers_without_a_500_and_as_published(world, published, wsgi_app):
    """Role by role, every operation gets EXAMPLES generated requests, the roles one after the other
    on the same database. The draw is derandomized (one seed) but not the same in every pass: what
    schemathesis draws from depends on what the app has loaded and answered so far, so the first
    role's cases differ from the second's. From the second pass on nothing changes any more (a third
    draw gives the second's cases again, case for case), so the third role is sent the second role's
    cases instead of paying for the same draw again (a third of the run's generation time)."""
    from houqin.core.tokens import api_token_create

    schema = _schema(published, wsgi_app)
    problems: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 200
    drawn: dict[str, list] = {}
    with _collected_as_a_batch():
        for index, role in enumerate(ROLES):
            _token, raw = api_token_create(user=world.k1.users[role], kindergarten=world.k1.kg, name="fuzz")
            headers = {"Authorization": f"Bearer {raw}"}
            for operation in operations:
                if index < 2:
                    drawn[operation.label] = _exercise(operation, headers, EXAMPLES, problems)
                else:
                    _replay(drawn[operation.label], headers, problems)
    if problems:
        report = "\n".join(dict.fromkeys(problems))
        if os.environ.get("HOUQIN_FUZZ_REPORT"):
            with open(os.environ["HOUQIN_FUZZ_REPORT"], "w") as out:
                out.write(report)
        pytest.fail(f"{len(problems)} problems:\n{report}", pytrace=False)


def test_every_schema_name_in_the_published_api_means_one_shape(world, login, monkeypatch):
    """Schemas that shared a name across areas (ReceiptOut ×3, ItemOut, StaffOut…) overwrote each
    other in /api/openapi.json, which then documented operations with another area's fields."""
    from ninja.openapi.schema import OpenAPISchema

    from houqin.core.api import api

    clashes: dict[str, int] = {}
    original = OpenAPISchema.add_schema_definitions

    def checking(self, definitions):
        for name, definition in definitions.items():
            if name in self.schemas and self.schemas[name] != definition:
                clashes[name] = clashes.get(name, 1) + 1
        original(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", checking)
    api.get_openapi_schema()
    assert clashes == {}
