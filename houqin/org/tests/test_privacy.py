"""Guardians' rights under PIPL (houqin.org.privacy): the export of everything held about a child, and the
deletion the principal carries out on a guardian's written request (erased, or restricted until the law lets
the record go, then purged)."""

import datetime as dt
import io
import json
import zipfile
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from houqin import policy
from houqin.core.errors import DomainError, Forbidden
from houqin.core.models import AuditEvent
from houqin.org import privacy
from houqin.org.models import Child, ErasureRequest, Guardian, Membership, RestrictedRecord, Role
from houqin.testing import MISSING, ChildFactory, GuardianFactory, image_bytes, run_matrix, upload_file

pytestmark = pytest.mark.django_db


def actor(world, role, k="k1"):
    ns = getattr(world, k)
    return policy.actor_for_kindergarten(ns.users[role], ns.kg)


def yesterday():
    from django.utils import timezone

    return timezone.localdate() - dt.timedelta(days=1)


def letter():
    return upload_file(image_bytes(), "letter.jpg", "image/jpeg")


# --- the plan covers every table holding a child -------------------------------------------------

def test_every_table_holding_a_child_is_in_the_plan_and_nothing_else():
    labels = {m._meta.label for m in privacy.child_tables()}
    assert privacy.uncovered() == []
    assert sorted(set(privacy.PLAN) - labels) == []  # no stale entry
    # the walk finds tables reaching the child through a parent row, and the M2M links
    for label in ("health.ObservationEntry", "health.MedicationGiven", "health.WeakChildFollowUp",
                  "notices.Notice_children", "safety.Injury", "org.Guardian"):
        assert label in labels
    periods = privacy.retention_periods()
    assert set(privacy.PLAN.values()) - {privacy.ERASE, "child"} <= set(periods)


def test_a_new_model_holding_a_child_fails_the_plan():
    """A model added later with a foreign key to a child, or to a guardian (a parent row), is not covered
    until PLAN says what a deletion does with it: the export and the deletion would miss it."""

    class StrayNote(models.Model):
        guardian = models.ForeignKey("org.Guardian", on_delete=models.PROTECT, related_name="+")

        class Meta:
            app_label = "core"

    try:
        assert privacy.uncovered() == ["core.StrayNote"]
        assert privacy.child_tables()[StrayNote] == "guardian__child"
    finally:
        del apps.all_models["core"]["straynote"]
        apps.clear_cache()
    assert privacy.uncovered() == []


def test_retention_periods_are_data_with_their_source():
    periods = privacy.retention_periods()
    assert {"health", "vaccination", "injury", "accounting"} <= set(periods)
    assert periods["accounting"].figure.value == 30
    for period in periods.values():
        assert "《" in period.figure.source and period.figure.value > 0
        assert period.figure.unconfirmed  # nothing in /work/shared/reference confirms them
    child = Child(birth_date=dt.date(2021, 3, 5), left_on=None)
    today = dt.date(2026, 12, 7)
    assert periods["health"].until(child, today) == dt.date(2029, 12, 7)
    assert periods["injury"].until(child, today) == dt.date(2042, 3, 5)  # 18th birthday + 3 years


# --- export ----------------------------------------------------------------------------------------

def test_a_guardian_downloads_everything_held_about_their_child(world, login):
    child = world.k1.own_child
    PickupPersonFactory = apps.get_model("org", "PickupPerson")
    PickupPersonFactory.objects.create(kindergarten=child.kindergarten, child=child, name="王阿姨", relation="邻居",
                                       phone="13800000000", valid_from=dt.date(2026, 9, 1))
    response = login(world.k1.users[Role.PARENT]).get(f"/k/k1/privacy/children/{child.code}/export.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"index.json", "summary.pdf", "data/org.Child.json", "data/org.Guardian.json",
            "data/org.PickupPerson.json"} <= names
    assert archive.read("summary.pdf").startswith(b"%PDF")
    rows = json.loads(archive.read("data/org.Child.json"))
    assert rows["rows"][0]["name"] == child.name and rows["history"]  # the change history too
    pickup = json.loads(archive.read("data/org.PickupPerson.json"))["rows"]
    assert [p["name"] for p in pickup] == ["王阿姨"]
    index = json.loads(archive.read("index.json"))
    assert {t["label"] for t in index["tables"]} == {n[5:-5] for n in names if n.startswith("data/")}
    event = AuditEvent.objects.filter(action="org.privacy.export").get()
    assert event.object_code == str(child.code) and event.outcome == "success"


def test_only_the_childs_guardian_may_export(world, login):
    child = world.k1.own_child
    url = f"/k/k1/privacy/children/{child.code}/export.zip"
    for role in (Role.PRINCIPAL, Role.CLASS_TEACHER, Role.HEALTH_TEACHER):
        assert login(world.k1.users[role]).get(url).status_code == 403, role
        assert login(world.k1.users[role]).get("/api" + url).status_code == 403, role
    # another child's guardian finds nothing (out of scope looks missing, as everywhere)
    other = world.k1.children[1]  # the own class's other child (children[2] is the parent's second child)
    assert other.pk not in (world.k1.own_child.pk, world.sibling.pk)
    assert login(world.k1.users[Role.PARENT]).get(
        f"/k/k1/privacy/children/{other.code}/export.zip").status_code == 404
    with pytest.raises(Forbidden):
        privacy.export_child(actor=actor(world, Role.PRINCIPAL), child=child)
    assert AuditEvent.objects.filter(action="org.privacy.export", outcome="denied").exists()


# --- deletion: bad input ---------------------------------------------------------------------------

def _counts():
    return Child.objects.count(), Guardian.objects.count(), RestrictedRecord.objects.count(), \
        ErasureRequest.objects.count()


def test_a_deletion_without_the_written_request_changes_nothing(world, login):
    before = _counts()
    with pytest.raises(DomainError) as exc:
        privacy.erasure_carry_out(actor=actor(world, Role.PRINCIPAL), child=world.k1.own_child, letter=None,
                                  received_on=yesterday())
    assert [e["field"] for e in exc.value.errors] == ["letter"]
    assert "书面" in exc.value.message
    response = login(world.k1.users[Role.PRINCIPAL]).post(
        "/api/k/k1/privacy/erasures", {"child": str(world.k1.own_child.code), "received_on": yesterday().isoformat()})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "letter"
    page = login(world.k1.users[Role.PRINCIPAL]).post(
        f"/k/k1/privacy/erasures/new/{world.k1.own_child.code}/", {"received_on": yesterday().isoformat()})
    assert page.status_code == 200 and "书面" in page.content.decode()
    assert _counts() == before


def test_a_script_as_the_letter_is_refused_and_nothing_changes(world):
    before = _counts()
    with pytest.raises(DomainError):
        privacy.erasure_carry_out(actor=actor(world, Role.PRINCIPAL), child=world.k1.own_child,
                                  letter=upload_file(b"#!/bin/sh\nrm -rf /\n", "letter.pdf", "application/pdf"),
                                  received_on=yesterday())
    assert _counts() == before


def test_only_the_principal_deletes(world, login):
    before = _counts()
    child = world.k1.own_child
    for role in (Role.DIRECTOR, Role.CLASS_TEACHER, Role.PARENT, Role.HEALTH_TEACHER):
        with pytest.raises(Forbidden):
            privacy.erasure_carry_out(actor=actor(world, role), child=child, letter=letter(),
                                      received_on=yesterday())
        response = login(world.k1.users[role]).post(
            "/api/k/k1/privacy/erasures", {"child": str(child.code), "received_on": yesterday().isoformat(),
                                           "letter": letter()})
        assert response.status_code == 403, role
    # another kindergarten's principal does not find the child
    response = login(world.k2.users[Role.PRINCIPAL]).post(
        "/api/k/k2/privacy/erasures", {"child": str(child.code), "received_on": yesterday().isoformat(), "letter": letter()})
    assert response.status_code == 404
    assert _counts() == before


# --- deletion on the test world --------------------------------------------------------------------

def test_a_deletion_erases_what_the_law_does_not_keep(world, login):
    child = world.k1.own_child
    parent = world.k1.users[Role.PARENT]
    response = login(world.k1.users[Role.PRINCIPAL]).post(
        "/api/k/k1/privacy/erasures", {"child": str(child.code), "received_on": yesterday().isoformat(), "letter": letter(),
                                       "note": "家长当面递交"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["child_label"] == child.name[0] + "*" * (len(child.name) - 1)
    # only the enrolment record and the guardian: nothing kept, everything erased
    assert body["restricted_count"] == 0 and body["erased_count"] == 2
    assert not Child.objects.filter(pk=child.pk).exists()
    assert not Guardian.objects.filter(child_id=child.pk).exists()
    assert not Child.history.model.objects.filter(id=child.pk).exists()  # history goes with the row
    assert not Guardian.history.model.objects.filter(child_id=child.pk).exists()
    # the parent still has the sibling: the login keeps its role; the letter is kept as proof
    assert Membership.objects.get(user=parent, role=Role.PARENT).is_active
    request = ErasureRequest.objects.get()
    assert request.letter.name.startswith("org/erasure/")
    # the same request sent twice (a double click): the second finds nothing left, and changes nothing
    from django.http import Http404

    from houqin.core.errors import NotFound

    with pytest.raises((NotFound, Http404)):
        privacy.erasure_carry_out(actor=actor(world, Role.PRINCIPAL), child=child, letter=letter(),
                                  received_on=yesterday())
    assert ErasureRequest.objects.count() == 1
    assert AuditEvent.objects.filter(action="org.privacy.erased", object_code=str(request.code)).exists()


# --- routes ----------------------------------------------------------------------------------------

ROUTES = [
    ("/k/{kg}/privacy/", "org.privacy.export", None),
    ("/k/{kg}/privacy/children/{code}/export.zip", "org.privacy.export", "child"),
    ("/api/k/{kg}/privacy/children/{code}/export.zip", "org.privacy.export", "child"),
    ("/k/{kg}/privacy/erasures/", "org.privacy.erase", None),
    ("/api/k/{kg}/privacy/erasures", "org.privacy.erase", None),
    ("/k/{kg}/privacy/erasures/new/{code}/", "org.privacy.erase", "child"),
]


def test_role_matrix(world):
    objects = {"child": {"own": world.k1.own_child, "other class": world.k1.other_child,
                         "other kindergarten": world.k2.own_child, "missing": MISSING}}
    mismatches, checked = run_matrix(world, ROUTES, objects)
    assert mismatches == []
    assert checked > 100


@pytest.mark.parametrize("url, role", [("/k/k1/privacy/erasures/", Role.PRINCIPAL),
                                       ("/api/k/k1/privacy/erasures", Role.PRINCIPAL),
                                       ("/k/k1/privacy/", Role.PARENT)])
def test_list_pages_run_a_fixed_number_of_queries(world, login, url, role):
    client = login(world.k1.users[role])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    count()  # warm-up: the first request stamps the session
    small = count()
    for i in range(6):  # more requests carried out, more children of the parent
        ErasureRequest.objects.create(
            kindergarten=world.k1.kg, child_code=ChildFactory(school_class=world.k1.own_class).code,
            child_label="李*", received_on=yesterday(), letter="org/erasure/x.jpg",
            carried_out_by=world.k1.users[Role.PRINCIPAL], carried_out_at=dt.datetime(2026, 12, 1, 2, tzinfo=dt.timezone.utc))
        GuardianFactory(child=ChildFactory(school_class=world.k1.own_class), user=world.k1.users[Role.PARENT])
    assert count() == small <= 10


# --- deletion of a demo child: every kind of record ----------------------------------------------

def _richest_child(kindergarten):
    counts = {}
    for model, path in privacy.child_tables().items():
        if model is Child:
            continue
        for child_id in model._base_manager.filter(**{f"{path}__kindergarten": kindergarten}) \
                .values_list(path, flat=True).distinct():
            counts.setdefault(child_id, set()).add(model)
    return Child.objects.get(pk=max(counts, key=lambda pk: len(counts[pk])))


@pytest.fixture
def demo(db, demo_built):
    return demo_built


def test_a_deletion_leaves_only_what_the_law_keeps_then_the_purge_removes_it(demo, login):
    from houqin.org.models import Kindergarten

    kg = Kindergarten.objects.get(slug="demo")
    child = _richest_child(kg)
    held = privacy._rows_of(child)
    assert len(held) >= 6, [m._meta.label for m in held]  # a child with many kinds of record
    principal = Membership.objects.get(kindergarten=kg, role=Role.PRINCIPAL).user
    actor_ = policy.actor_for_kindergarten(principal, kg)
    request = privacy.erasure_carry_out(actor=actor_, child=child, letter=letter(), received_on=yesterday())

    # every row of the child left its table, with its history
    for model, path in privacy.child_tables().items():
        assert not model._base_manager.filter(**{path: child.pk}).exists(), model._meta.label
        history = getattr(model, "history", None)
        if history is not None and model in held:
            assert not history.model._base_manager.filter(id__in=[r.pk for r in held[model]]).exists()
    # kept rows: restricted with their end date, one a row of each kept table
    periods = privacy.retention_periods()
    kept = RestrictedRecord.objects.filter(child_code=child.code)
    expected_kept = sum(len(rows) for m, rows in held.items() if privacy.PLAN[m._meta.label] != privacy.ERASE)
    assert kept.count() == request.restricted_count == expected_kept > 0
    assert request.erased_count == sum(len(r) for m, r in held.items()) - expected_kept
    for record in kept:
        if record.category in periods:
            assert record.retained_until == periods[record.category].until(child, yesterday() + dt.timedelta(days=1))
        assert record.data["row"]
    latest = max(r.retained_until for r in kept)
    assert kept.get(table="org.Child").retained_until == latest
    # shown nowhere: the child list, the class, the API, the health page
    staff = login(principal)
    class_code = child.school_class.code
    for url in (f"/k/demo/children/?class={class_code}", f"/k/demo/classes/{class_code}/",
                f"/api/k/demo/children?class_code={class_code}"):
        page = staff.get(url)
        assert page.status_code == 200, url
        assert str(child.code) not in page.content.decode(), url
    assert staff.get(f"/api/k/demo/children/{child.code}").status_code == 404
    assert staff.get(f"/k/demo/children/{child.code}/").status_code == 404

    # the purge: nothing before the end date, everything after it, idempotent
    earliest = min(r.retained_until for r in kept)
    assert privacy.purge_restricted(today=earliest) == 0
    out = StringIO()
    call_command("purge_restricted", "--today", (latest + dt.timedelta(days=1)).isoformat(), stdout=out)
    assert f"purged {expected_kept}" in out.getvalue()
    assert not RestrictedRecord.objects.filter(child_code=child.code).exists()
    assert privacy.purge_restricted(today=latest + dt.timedelta(days=1)) == 0
    assert AuditEvent.objects.filter(action="org.privacy.purge", kindergarten=kg).exists()


def test_the_demo_shows_a_deletion_request_carried_out(demo, login):
    from houqin.org.models import Kindergarten

    kg = Kindergarten.objects.get(slug="demo")
    request = ErasureRequest.objects.get(kindergarten=kg)
    assert request.erased_count == 3 and request.restricted_count == 0  # a child who left, and two guardians
    assert not Child.objects.filter(code=request.child_code).exists()
    principal = Membership.objects.get(kindergarten=kg, role=Role.PRINCIPAL).user
    page = login(principal).get("/k/demo/privacy/erasures/").content.decode()
    assert request.child_label in page and "待核实" in page
    parent = Membership.objects.get(kindergarten=kg, role=Role.PARENT, user__username="parent").user
    assert "privacy-download" in login(parent).get("/k/demo/privacy/").content.decode()
