"""Every write, every role: an outsider's probe of all the routes Houqin serves.

The routes come from the URL resolver and the API's routers, not from a list kept by hand, so a
route is probed the day it lands. Each page is POSTed to and each API write (POST/PATCH) is called,
with an empty body and a missing object, by an anonymous visitor, every role of kindergarten k1,
a member of another kindergarten and the district supervisor. The oracle is the policy table
itself (the capability the route declares and the roles it grants):

- anonymous: sent to sign in (page) or 401 (API);
- a role the capability does not grant: 403 (405 when the route takes no write at all);
- another kindergarten's member and the supervisor on a k1 address: 404;
- a role the capability grants, on a missing object: 404 (405 when the route takes no write);
- an API write with a required body: 422 is a refusal too (django-ninja checks the body first);
- nobody: a server error, or any row written (the tables are counted around every route; the
  audit log and sessions excepted).
"""

import contextlib
import re
import uuid

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import get_resolver

from houqin import policy
from houqin.core.api import api
from houqin.core.tests.test_policy import NOT_OURS, _api_operations, _walk
from houqin.org.models import Role

MISSING_UUID = str(uuid.UUID(int=1))
# A value for each URL parameter: the kindergarten and district of the test world, a missing object.
PARAMS = {
    "kg": "k1", "district": "chengnan", "code": MISSING_UUID, "line": MISSING_UUID,
    "entry": MISSING_UUID, "year": "2026", "month": "11", "kind": "sample", "label": "ZZZ-404",
    "action": "acknowledge", "key": "no.such.rule", "number": "999", "kindergarten": "k1",
}
# A page's <str:month> (the canteen account) is a year-month; <int:month> a month.
PAGE_PARAMS = {**PARAMS, "str:month": "2026-11"}
# Writes that are not ours to probe: each with its reason.
NOT_PROBED = {
    "login/": "signing in (test_auth covers it: lockout, the proxy's address)",
    "logout/": "signing out ends the probing client's session",
    "i18n/": "the language switch (Django's set_language; any visitor may choose a language)",
}
# Tables whose rows a refused request may legitimately write.
UNCOUNTED = {"core.auditevent", "sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}
WRITES = {"POST", "PATCH", "PUT", "DELETE"}
SPECIAL = {policy.PUBLIC, policy.AUTHENTICATED, policy.SUPERUSER}


def _fill(template: str, values: dict) -> str:
    def value(match):
        converter, name = match.group(1), match.group(2) or match.group(3)
        return values.get(f"{converter}:{name}", values[name])

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>|\{(\w+)(?::\w+)?\}", value, template).lstrip("/")


def page_writes():
    """(method, url, capability, takes the object code) for every page of ours."""
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("api/") or any(route.startswith(p) for p in {**NOT_OURS, **NOT_PROBED}):
            continue
        yield "POST", _fill(route, PAGE_PARAMS), policy.declared_capability(pattern.callback), "<uuid:" in route, False


def api_writes():
    """(method, url, capability, takes an object code, has a required body) for every API write.

    django-ninja validates a required body before the view (and so the policy) runs: the empty
    body of the probe is refused with a 422 there, before the 403 or 404 it would get if valid."""
    published = api.get_openapi_schema()["paths"]
    for path, operation in _api_operations():
        for method in set(operation.methods) & WRITES:
            body = published["/api" + path][method.lower()].get("requestBody", {}).get("required", False)
            has_object = "{" in path.replace("{kg}", "").replace("{district}", "")
            yield method, "/api" + _fill(path, PARAMS), policy.declared_capability(operation.view_func), has_object, body


@contextlib.contextmanager
def _row_counter():
    """A function that counts the rows of every table a refused request must leave alone.

    One query over ~290 tables, run after each of the probe's ~6,000 requests. PostgreSQL spends
    ~30 ms planning it each time and ~3 ms running it, so there it is prepared once for the probe."""
    counted = [
        m._meta.db_table for m in apps.get_models()
        if m._meta.label_lower not in UNCOUNTED and not m._meta.proxy and m._meta.managed
    ]
    sql = " + ".join(f'(SELECT COUNT(*) FROM "{t}")' for t in counted).join(["SELECT ", ""])
    prepared = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if prepared:
            cursor.execute("PREPARE houqin_probe_rows AS " + sql)

        def count() -> int:
            cursor.execute("EXECUTE houqin_probe_rows" if prepared else sql)
            return cursor.fetchone()[0]

        try:
            yield count
        finally:
            if prepared:
                cursor.execute("DEALLOCATE houqin_probe_rows")


def _expected(role, user, url, capability, has_object, body_first) -> set[int]:
    is_api = url.startswith("/api/")
    if capability in SPECIAL:
        return set()  # public and any-signed-in routes: no server error and nothing written
    if user is None:
        return {401} if is_api else {302, 405}
    on_k1 = url.startswith(("/k/k1/", "/api/k/k1/"))
    invalid = {422} if body_first else set()
    if on_k1 and role in ("k2", Role.SUPERVISOR):
        return {404, 405} | invalid
    if not on_k1:
        return set()  # the district's routes (test_policy covers their readers): no error, nothing written
    if role not in policy.CAPABILITIES[capability].grants:
        return {403, 405} | invalid
    return {404, 405} | invalid if has_object else set()


def _principals(world):
    yield None, None
    yield Role.SUPERVISOR, world.supervisor
    yield "k2", world.k2.users[Role.PRINCIPAL]
    yield from world.k1.users.items()


def _probe(world, routes):
    clients = []
    for role, user in _principals(world):
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        clients.append((role, user, client))
    mismatches, requests = [], 0
    with _row_counter() as row_count:
        for method, url, capability, has_object, body_first in routes:
            before = row_count()
            for role, user, client in clients:
                send = getattr(client, method.lower())
                if url.startswith("/api/"):
                    response = send(url, data="{}", content_type="application/json")
                else:
                    response = send(url, data={})
                requests += 1
                expected = _expected(role, user, url, capability, has_object, body_first)
                status = response.status_code
                if status >= 500 or (expected and status not in expected):
                    wanted = sorted(expected) or "< 500"
                    mismatches.append(f"{role} {method} {url} [{capability}]: {status}, expected {wanted}")
                # A role the capability grants may create from an empty form where nothing is required;
                # everyone else must leave the tables as they were.
                after = row_count()
                if after != before and (not expected or expected <= {200, 201}):
                    before = after
                elif after != before:
                    mismatches.append(f"{role} {method} {url}: {after - before:+d} rows written by a refused request")
                    before = after
    return mismatches, requests


def test_the_probe_finds_every_route():
    pages, writes = list(page_writes()), list(api_writes())
    assert len(pages) > 300 and len(writes) > 140
    # Every parameter of every route has a value: a new parameter name fails here, not silently.
    assert all("<" not in url and "{" not in url for _m, url, *_rest in pages + writes)
    assert all(capability is not None for _m, _u, capability, *_rest in pages + writes)
    # The 422-before-policy allowance is narrow: only operations with a required body have it.
    assert 0 < sum(body for *_rest, body in writes) < len(writes)


@pytest.mark.parametrize("kind", ["pages", "api"])
def test_no_write_outside_the_policy(world, kind):
    routes = list(page_writes() if kind == "pages" else api_writes())
    mismatches, requests = _probe(world, routes)
    assert requests >= len(routes) * 13
    assert mismatches == [], "\n".join(mismatches[:40])
