"""The API as published: a bounded schemathesis run over every operation of /api/openapi.json.

Signed in (by API token) as staff roles of the test world, each operation gets a few generated
requests; the run fails on any 500 and on any response that does not match the published schema.
HOUQIN_FUZZ_EXAMPLES raises the number of examples per operation for a deeper run by hand.
"""

from __future__ import annotations

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


def _summary(exc) -> str:
    failures = exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]
    parts = []
    for failure in failures:
        message = str(getattr(failure, "message", "") or failure).strip().splitlines()
        detail = next((line.strip() for line in message[1:] if line.strip()), "")
        parts.append(f"{getattr(failure, 'title', type(failure).__name__)} ({message[0] if message else ''} {detail})")
    return "; ".join(parts)


def _exercise(schema, operation, headers, examples: int) -> list[str]:
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    problems: list[str] = []
    strategy = operation.as_strategy(path_parameters={"kg": "k1"})

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance],
                                   headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every failed check is reported
            problems.append(f"{operation.label} → {response.status_code}: {_summary(exc)}\n"
                            f"    {case.as_curl_command(headers={'Authorization': '…'})[:600]}")

    run()
    return problems


def test_every_operation_answers_without_a_500_and_as_published(world, published, wsgi_app):
    from houqin.core.tokens import api_token_create

    schema = _schema(published, wsgi_app)
    problems: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 200
    for role in ROLES:
        _token, raw = api_token_create(user=world.k1.users[role], kindergarten=world.k1.kg, name="fuzz")
        headers = {"Authorization": f"Bearer {raw}"}
        for operation in operations:
            problems += _exercise(schema, operation, headers, EXAMPLES)
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
