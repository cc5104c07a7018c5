"""Custody restrictions at the gate (不得接走): filed with a document by a guardian (own child only) or
the principal; a collector matching by name or identity card number is refused by every route (the
page, the API, whoever they are listed as), the refusal is saved and audited, the principal and the
class teacher are alerted; only they see the details, the guard sees the photo and 不得接走."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from houqin import policy
from houqin.core.errors import DomainError
from houqin.core.models import AuditEvent
from houqin.core.registry import todos_for
from houqin.org.models import Role
from houqin.safety import custody, services
from houqin.safety.models import CollectorKind, CustodyRestriction, Release, ReleaseOutcome
from houqin.safety.tests.conftest import actor_of, days, png
from houqin.testing import GuardianFactory, pdf_bytes

pytestmark = pytest.mark.django_db

BARRED_ID = "11010519491231002X"  # a valid check digit (X)


def _doc():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("判决书.pdf", pdf_bytes(), content_type="application/pdf")


def _file(world, role=Role.PARENT, child=None, **kwargs):
    data = {"person_name": "赵建国", "document_kind": "court_order", "document": _doc(), "valid_from": days(0),
            "id_number": BARRED_ID, "photo": png(), "reason": "法院判决抚养权归母亲"}
    data.update(kwargs)
    return custody.restriction_file(actor=actor_of(world, role), child=child or world.k1.own_child, **data)


def _release(world, **kwargs):
    kwargs.setdefault("collector", "other")
    return services.release_child(actor=actor_of(world, Role.GUARD), child=kwargs.pop("child", world.k1.own_child),
                                  **kwargs)


# --- filing ------------------------------------------------------------------------------------


def test_a_restriction_without_a_document_is_refused_and_nothing_is_saved(world):
    with pytest.raises(DomainError) as exc:
        _file(world, document=None)
    assert exc.value.errors[0]["field"] == "document"
    assert CustodyRestriction.objects.count() == 0


def test_a_bad_id_number_or_dates_are_refused(world):
    with pytest.raises(DomainError):
        _file(world, id_number="110105194912310021")
    with pytest.raises(DomainError):
        _file(world, valid_from=days(3), valid_until=days(1))
    with pytest.raises(DomainError):
        _file(world, person_name="  ")
    assert CustodyRestriction.objects.count() == 0


def test_a_parent_files_for_their_own_child_only(world):
    made = _file(world)
    assert made.filed_by == world.k1.users[Role.PARENT] and not made.is_confirmed
    assert made.name_key == "赵建国" and made.id_number == BARRED_ID
    with pytest.raises(policy.OutOfScope):
        _file(world, child=world.k1.children[4])  # another family's child
    for role in (Role.GUARD, Role.CLASS_TEACHER, Role.DIRECTOR):
        with pytest.raises(DomainError):
            _file(world, role=role)
    assert CustodyRestriction.objects.count() == 1


def test_the_id_number_is_not_copied_into_history(world):
    made = _file(world)
    assert not hasattr(made.history.first(), "id_number")


# --- the gate -----------------------------------------------------------------------------------


def test_a_restricted_person_is_refused_by_name_and_the_refusal_is_saved(world):
    restriction = _file(world)
    with pytest.raises(services.ReleaseRefused) as exc:
        _release(world, collector_name=" 赵　建国 ")  # spaces, a full-width space
    assert exc.value.message == custody.refusal_line(restriction, "赵　建国")
    refused = Release.objects.get()
    assert refused.outcome == ReleaseOutcome.REFUSED and refused.restriction == restriction
    assert refused.collector_kind == CollectorKind.RESTRICTED
    assert not Release.objects.filter(outcome=ReleaseOutcome.RELEASED).exists()
    event = AuditEvent.objects.get(action="safety.custody.refused")
    assert event.outcome == "denied" and event.detail["restriction"] == str(restriction.code)


def test_another_name_with_the_restricted_id_number_is_refused(world):
    _file(world)
    with pytest.raises(services.ReleaseRefused):
        _release(world, collector_name="李四", id_number=BARRED_ID.lower())
    assert Release.objects.get().restriction is not None


def test_a_listed_guardian_who_is_restricted_is_refused(world):
    GuardianFactory(child=world.k1.own_child, name="赵建国")
    guardian = world.k1.own_child.guardians.get(name="赵建国")
    _file(world)
    with pytest.raises(services.ReleaseRefused):
        _release(world, collector=f"guardian:{guardian.code}")
    refused = Release.objects.get()
    assert refused.guardian == guardian and refused.outcome == ReleaseOutcome.REFUSED
    # A confirmed delegation to the same person does not open the gate either.
    teacher = actor_of(world, Role.CLASS_TEACHER)
    delegation = services.delegation_request(actor=teacher, child=world.k1.own_child, date=days(0),
                                             delegate_name="赵 建国", relation="父亲", phone="13912345678")
    services.delegation_confirm(actor=teacher, delegation=delegation, note="已电话确认")
    with pytest.raises(services.ReleaseRefused):
        _release(world, collector=f"delegation:{delegation.code}")
    assert not Release.objects.filter(outcome=ReleaseOutcome.RELEASED).exists()


def test_the_restriction_binds_only_its_child_and_its_dates(world):
    guardian = world.k1.own_child.guardians.first()
    _file(world, valid_from=days(1))
    made = _release(world, collector=f"guardian:{guardian.code}")  # the guardian, the restriction not yet valid
    assert made.outcome == ReleaseOutcome.RELEASED
    _file(world, child=world.sibling)
    assert custody.barred_collector(world.k1.own_child, name="赵建国") is None
    assert custody.barred_collector(world.sibling, name="赵建国") is not None
    assert custody.barred_collector(world.sibling, name="赵建国", day=days(-1)) is None


def test_a_voided_restriction_no_longer_refuses(world):
    restriction = _file(world)
    principal = actor_of(world, Role.PRINCIPAL)
    with pytest.raises(DomainError):
        custody.restriction_void(actor=principal, restriction=restriction, reason="")
    with pytest.raises(DomainError):
        custody.restriction_void(actor=actor_of(world, Role.PARENT), restriction=restriction, reason="撤销")
    custody.restriction_void(actor=principal, restriction=restriction, reason="法院撤销裁定")
    with pytest.raises(services.ReleaseRefused) as exc:
        _release(world, collector_name="赵建国")  # refused still: not on the list, but not for custody
    assert Release.objects.get().restriction is None and "赵建国" in exc.value.message


def test_only_the_principal_confirms(world):
    restriction = _file(world)
    for role in (Role.CLASS_TEACHER, Role.DIRECTOR, Role.GUARD, Role.PARENT):
        with pytest.raises(DomainError):
            custody.restriction_confirm(actor=actor_of(world, role), restriction=restriction)
    custody.restriction_confirm(actor=actor_of(world, Role.PRINCIPAL), restriction=restriction)
    restriction.refresh_from_db()
    assert restriction.confirmed_by == world.k1.users[Role.PRINCIPAL]


def test_the_api_refuses_the_same_way_and_saves_the_refusal(world, login):
    _file(world)
    client = login(world.k1.users[Role.GUARD])
    url = f"/api/k/k1/safety/pickup/{world.k1.own_child.code}/release"
    response = client.post(url, {"collector": "other", "collector_name": "赵建国"}, content_type="application/json")
    assert response.status_code == 422
    response = client.post(url, {"collector": "other", "collector_name": "张三", "id_number": BARRED_ID},
                           content_type="application/json")
    assert response.status_code == 422
    assert Release.objects.filter(outcome=ReleaseOutcome.REFUSED, restriction__isnull=False).count() == 2
    assert not Release.objects.filter(outcome=ReleaseOutcome.RELEASED).exists()
    card = client.get(f"/api/k/k1/safety/pickup/{world.k1.own_child.code}").json()
    assert card["barred"][0]["photo_url"] and "赵建国" not in str(card)


def test_the_page_refuses_with_one_line(world, login):
    _file(world)
    client = login(world.k1.users[Role.GUARD])
    url = f"/k/k1/safety/pickup/{world.k1.own_child.code}/"
    page = client.post(url + "release/", {"collector": "other", "collector_name": "赵建国"}, follow=True)
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="barred"' in text
    assert Release.objects.get().restriction is not None


# --- the alert and who sees what -----------------------------------------------------------------


def test_the_principal_and_the_class_teacher_are_alerted(world):
    _file(world)
    with pytest.raises(services.ReleaseRefused):
        _release(world, collector_name="赵建国")

    def alerts(role, k="k1"):
        return [t for t in todos_for(actor_of(world, role, k)) if t.extra.get("kind") == "custody"]

    assert alerts(Role.PRINCIPAL) and alerts(Role.CLASS_TEACHER)
    assert alerts(Role.PRINCIPAL)[0].urgency == 3 and "赵建国" in alerts(Role.PRINCIPAL)[0].title
    for role in (Role.GUARD, Role.DIRECTOR, Role.NURSERY, Role.PARENT, Role.HEALTH_TEACHER):
        assert alerts(role) == [], role
    assert alerts(Role.PRINCIPAL, "k2") == []


def test_the_guard_sees_the_photo_and_must_not_collect_but_no_details(world, login):
    restriction = _file(world)
    guard = login(world.k1.users[Role.GUARD])
    card = guard.get(f"/k/k1/safety/pickup/{world.k1.own_child.code}/").content.decode()
    assert 'data-testid="barred"' in card and f"/custody/{restriction.code}/photo/" in card
    assert "赵建国" not in card and "法院" not in card
    assert guard.get(f"/k/k1/safety/custody/{restriction.code}/photo/").status_code == 200
    assert guard.get(f"/k/k1/safety/custody/{restriction.code}/").status_code == 403
    assert guard.get(f"/k/k1/safety/custody/{restriction.code}/document/").status_code == 403
    principal = login(world.k1.users[Role.PRINCIPAL])
    detail = principal.get(f"/k/k1/safety/custody/{restriction.code}/").content.decode()
    assert "赵建国" in detail and "法院判决" in detail and BARRED_ID not in detail and "110" in detail
    assert principal.get(f"/k/k1/safety/custody/{restriction.code}/document/").status_code == 200
    assert AuditEvent.objects.filter(action="safety.custody.view", object_code=str(restriction.code)).exists()


def test_a_parent_sees_only_the_restrictions_they_filed(world, login):
    mine = _file(world)
    other = _file(world, role=Role.PRINCIPAL, person_name="钱某")
    page = login(world.k1.users[Role.PARENT]).get("/k/k1/safety/custody/mine/").content.decode()
    assert mine.person_name in page and other.person_name not in page


def test_the_parent_files_through_the_page_with_the_document(world, login):
    client = login(world.k1.users[Role.PARENT])
    data = {"child": world.k1.own_child.pk, "person_name": "孙某", "document_kind": "statement",
            "valid_from": days(0).isoformat()}
    page = client.post("/k/k1/safety/custody/new/", data)
    assert page.status_code == 200 and CustodyRestriction.objects.count() == 0  # no document: nothing saved
    page = client.post("/k/k1/safety/custody/new/", {**data, "document": _doc()})
    assert page.status_code == 302 and CustodyRestriction.objects.get().person_name == "孙某"


def test_the_list_page_and_endpoint_do_not_grow_with_rows(world, login):
    client = login(world.k1.users[Role.PRINCIPAL])

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    _file(world)
    urls = ["/k/k1/safety/custody/", "/api/k/k1/safety/custody"]
    [count(u) for u in urls]  # the first request of a session warms what it caches
    before = [count(u) for u in urls]
    assert before == [7, 7]
    for i in range(4):
        _file(world, role=Role.PRINCIPAL, person_name=f"某人{i}", child=world.k1.children[i])
        try:
            _release(world, collector_name=f"某人{i}", child=world.k1.children[i])
        except services.ReleaseRefused:
            pass
    assert [count(u) for u in urls] == before


def test_a_restriction_filed_while_the_guard_decides_is_checked_again_under_the_lock(world, monkeypatch):
    """Filing locks the child's row as a release does: the release's second check, under the lock, sees a
    restriction filed between the guard's first check and the release (simulated: the first check misses)."""
    restriction = _file(world)
    guardian = world.k1.own_child.guardians.first()
    real, calls = custody.barred_collector, []

    def first_misses(child, **kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else real(child, **kwargs)

    monkeypatch.setattr(custody, "barred_collector", first_misses)
    with pytest.raises(services.ReleaseRefused):
        _release(world, collector=f"guardian:{guardian.code}", id_number=BARRED_ID)
    assert len(calls) == 2
    refused = Release.objects.get()
    assert refused.outcome == ReleaseOutcome.REFUSED and refused.restriction == restriction
    assert AuditEvent.objects.filter(action="safety.custody.refused").count() == 1


def test_the_gate_card_marks_a_listed_person_who_is_barred_and_offers_no_release(world, login):
    GuardianFactory(child=world.k1.own_child, name="赵建国")
    _file(world)
    guard = login(world.k1.users[Role.GUARD])
    card = guard.get(f"/k/k1/safety/pickup/{world.k1.own_child.code}/").content.decode()
    assert card.count('data-testid="collector-barred"') == 1
    assert card.count('data-testid="release-to"') == 1  # the other guardian only
    data = guard.get(f"/api/k/k1/safety/pickup/{world.k1.own_child.code}").json()
    assert [c["barred"] for c in data["collectors"] if c["name"] == "赵建国"] == [True]
    assert [c["barred"] for c in data["collectors"] if c["name"] != "赵建国"] == [False]
