"""家长委托喂药: a parent entrusts a medicine on a phone; class staff receive it (or refuse it with a
reason) and record each dose; the parent sees every dose; a missed dose is a red to-do for the
class; a dose without a unit is refused and nothing saved; nothing is ever deleted."""

import datetime as dt

from houqin import policy
from houqin.core.registry import todos_for
from houqin.health.models import MedicationGiven, MedicationRequest
from houqin.health.tests.conftest import actor_of
from houqin.org.models import Role
from houqin.testing import image_bytes, upload_file

TODAY = dt.date(2026, 11, 25)  # the suite's clock: 09:30


def _form(world, **over):
    data = {"drug_name": "布洛芬混悬液", "dose_amount": "5", "dose_unit": "ml", "times": "09:00, 14:30",
            "start_date": "2026-11-25", "days": "2", "reason": "发热后遵医嘱", "confirmed": "on",
            "photo": upload_file(image_bytes(), "box.jpg", "image/jpeg")}
    data.update(over)
    return data


def test_a_dose_without_a_unit_is_refused_and_nothing_saved(world, login):
    parent = login(world.k1.users[Role.PARENT])
    child = world.k1.own_child
    r = parent.post(f"/k/k1/health/medication/new/{child.code}/", _form(world, dose_unit=""))
    assert r.status_code == 200 and "unit" in r.content.decode()
    r = parent.post(f"/k/k1/health/medication/new/{child.code}/", _form(world, confirmed=""))
    assert r.status_code == 200
    api = parent.post("/api/k/k1/health/medication", {**_form(world, dose_unit=""), "child": str(child.code)})
    assert api.status_code == 422
    assert not MedicationRequest.objects.exists()


def test_entrust_receive_give_and_the_parent_sees_every_dose(world, login):
    parent = login(world.k1.users[Role.PARENT])
    child = world.k1.own_child
    r = parent.post(f"/k/k1/health/medication/new/{child.code}/", _form(world))
    assert r.status_code == 302
    item = MedicationRequest.objects.get()
    assert item.dose_unit == "ml" and item.times == ["09:00", "14:30"] and item.end_date == TODAY + dt.timedelta(days=1)
    assert item.photo.name.endswith(".jpg") and "box" not in item.photo.name  # core's upload reader named it
    teacher = login(world.k1.users[Role.CLASS_TEACHER])
    # waiting to be received: amber for the class
    titles = [t.title for t in todos_for(actor_of(world, Role.CLASS_TEACHER))]
    assert any("布洛芬" in t for t in titles)
    # refusing needs a reason
    teacher.post(f"/k/k1/health/medication/{item.code}/receive/", {"decision": "refuse"})
    item.refresh_from_db()
    assert item.status == "requested"
    teacher.post(f"/k/k1/health/medication/{item.code}/receive/", {"decision": "accept"})
    item.refresh_from_db()
    assert item.status == "received" and item.checked_by == world.k1.users[Role.CLASS_TEACHER]
    # 09:00 has passed and nobody gave it: a red to-do for the class
    red = [t for t in todos_for(actor_of(world, Role.CLASS_TEACHER)) if t.urgency == 3 and "09:00" in t.title]
    assert red and "布洛芬" in red[0].title
    assert not [t for t in todos_for(actor_of(world, Role.CLASS_TEACHER, "k2")) if "布洛芬" in t.title]
    r = teacher.post(f"/k/k1/health/medication/{item.code}/give/", {"date": "2026-11-25", "scheduled": "09:00"})
    assert r.status_code == 302
    given = MedicationGiven.objects.get()
    assert given.given_by == world.k1.users[Role.CLASS_TEACHER] and given.dose_amount == 5
    assert not [t for t in todos_for(actor_of(world, Role.CLASS_TEACHER)) if t.urgency == 3 and "09:00" in t.title]
    # twice the same dose: refused
    teacher.post(f"/k/k1/health/medication/{item.code}/give/", {"date": "2026-11-25", "scheduled": "09:00"})
    assert MedicationGiven.objects.count() == 1
    # a dose later today cannot be given for a time not in the request
    teacher.post(f"/k/k1/health/medication/{item.code}/give/", {"date": "2026-11-25", "scheduled": "11:00"})
    assert MedicationGiven.objects.count() == 1
    # the parent sees the administration, page and API
    page = parent.get(f"/k/k1/health/medication/{item.code}/").content.decode()
    assert page.count('data-testid="given"') == 1
    api = parent.get(f"/api/k/k1/health/medication/{item.code}").json()
    assert [g["scheduled"] for g in api["given"]] == ["09:00"] and api["missed"] == []
    # parents cannot give or receive; the photo is served to the parent
    assert parent.post(f"/k/k1/health/medication/{item.code}/give/",
                       {"date": "2026-11-25", "scheduled": "14:30"}).status_code == 403
    assert parent.get(f"/k/k1/health/medication/{item.code}/photo/").status_code == 200


def test_who_may_see_and_nothing_is_deleted(world, login):
    grants = policy.CAPABILITIES
    assert set(grants["health.medication.request"].grants) == {Role.PARENT}
    assert Role.GUARD not in grants["health.medication.view"].grants
    assert Role.DIRECTOR not in grants["health.medication.view"].grants
    assert all(grants[f"health.medication.{c}"].sensitive for c in ("view", "request", "give"))
    from django.urls import get_resolver

    names = [p.name for p in get_resolver().url_patterns if getattr(p, "name", None)]
    assert not any("medication" in (n or "") and "delete" in n for n in names)
    parent = login(world.k1.users[Role.PARENT])
    parent.post(f"/k/k1/health/medication/new/{world.k1.own_child.code}/", _form(world))
    item = MedicationRequest.objects.get()
    other = login(world.k1.users[Role.CLASS_TEACHER])  # class A1 teacher: sees it
    assert other.get(f"/k/k1/health/medication/{item.code}/").status_code == 200
    guard = login(world.k1.users[Role.GUARD])
    assert guard.get(f"/k/k1/health/medication/{item.code}/").status_code == 403
    k2 = login(world.k2.users[Role.HEALTH_TEACHER])
    assert k2.get(f"/k/k2/health/medication/{item.code}/").status_code == 404
