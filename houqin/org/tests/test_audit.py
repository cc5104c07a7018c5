"""Who created and changed a record, when, and what changed — shown on the record's page."""

import datetime as dt

import pytest

from houqin.core.models import AuditEvent, ProtectedRecordError
from houqin.org.models import Role

pytestmark = pytest.mark.django_db


def test_editing_a_child_through_the_page_records_who_and_what(world, login):
    principal = world.k1.users[Role.PRINCIPAL]
    client = login(principal)
    child = world.k1.own_child
    response = client.post(f"/k/k1/children/{child.code}/edit/", {
        "name": "王小明", "sex": child.sex, "birth_date": child.birth_date.isoformat(),
        "school_class": child.school_class_id, "enrolled_on": child.enrolled_on.isoformat(), "notes": "花生过敏",
    })
    assert response.status_code == 302
    latest = child.history.latest()
    assert latest.history_user == principal
    assert latest.history_type == "~"
    delta = latest.diff_against(latest.prev_record)
    assert {c.field for c in delta.changes} == {"name", "notes"}

    page = client.get(f"/k/k1/children/{child.code}/").content.decode()
    assert 'data-testid="history"' in page
    assert "花生过敏" in page and principal.display_name in page


def test_history_never_stores_the_identity_card_number(world):
    child = world.k1.own_child
    child.id_number = "11010520220305100X"
    child.save()
    assert not hasattr(child.history.latest(), "id_number")


def test_voiding_is_in_the_history_with_its_reason(world, login):
    client = login(world.k1.users[Role.PRINCIPAL])
    child = world.k1.own_child
    assert client.post(f"/k/k1/children/{child.code}/void/", {"reason": "重复录入"}).status_code == 302
    latest = child.history.latest()
    assert latest.voided_at is not None and latest.history_change_reason == "重复录入"
    assert "重复录入" in client.get(f"/k/k1/children/{child.code}/").content.decode()


def test_void_without_reason_changes_nothing(world, login):
    client = login(world.k1.users[Role.PRINCIPAL])
    child = world.k1.own_child
    count = child.history.count()
    assert client.post(f"/k/k1/children/{child.code}/void/", {"reason": ""}).status_code == 200
    child.refresh_from_db()
    assert child.voided_at is None and child.history.count() == count


def test_audit_events_are_append_only(world):
    event = AuditEvent.objects.create(action="test")
    event.action = "changed"
    with pytest.raises(ProtectedRecordError):
        event.save()
    with pytest.raises(ProtectedRecordError):
        event.delete()


def test_viewing_sensitive_data_is_logged_and_masked_for_others(world, login):
    child = world.k1.own_child
    child.id_number = "11010520220305100X"
    child.save()
    teacher_page = login(world.k1.users[Role.CLASS_TEACHER]).get(f"/k/k1/children/{child.code}/").content.decode()
    assert "11010520220305100X" in teacher_page
    assert AuditEvent.objects.filter(action="org.child.view_sensitive", actor=world.k1.users[Role.CLASS_TEACHER],
                                     object_code=str(child.code)).count() == 1
    guard_page = login(world.k1.users[Role.GUARD]).get(f"/k/k1/children/{child.code}/").content.decode()
    assert "11010520220305100X" not in guard_page and "110***********100X" in guard_page
    guardian_phone = child.guardians.first().phone
    assert guardian_phone not in guard_page


def test_identity_numbers_never_reach_urls_or_the_audit_log(world, login):
    child = world.k1.own_child
    child.id_number = "11010520220305100X"
    child.save()
    login(world.k1.users[Role.PRINCIPAL]).get(f"/k/k1/children/{child.code}/")
    for event in AuditEvent.objects.all():
        assert "11010520220305100X" not in str(event.detail) + event.object_code


def test_leaving_through_the_api_is_audited_in_history(world, login):
    client = login(world.k1.users[Role.DIRECTOR])
    child = world.k1.own_child
    response = client.post(f"/api/k/k1/children/{child.code}/leave",
                           {"left_on": dt.date.today().isoformat(), "reason": "转园"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert child.history.latest().history_user == world.k1.users[Role.DIRECTOR]
