"""One policy for objects (policy.get_or_404 / policy.require), one audit of sensitive capabilities,
one sign-off rule (policy.forbid_self_approval)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from houqin import policy
from houqin.core.errors import Forbidden
from houqin.core.models import AuditEvent
from houqin.org.models import Child, Role
from houqin.testing import image_bytes, upload_file

pytestmark = pytest.mark.django_db


def _actor(world, role, k="k1"):
    ns = getattr(world, k)
    return policy.actor_for_kindergarten(ns.users[role], ns.kg)


# --- the primitives --------------------------------------------------------------------------------


def test_out_of_scope_missing_and_another_kindergarten_are_the_same_404(world):
    teacher = _actor(world, Role.CLASS_TEACHER)
    assert policy.get_or_404(teacher, "org.child.view", Child, code=world.k1.own_child.code) == world.k1.own_child
    for code in (world.k1.other_child.code, world.k2.own_child.code, "00000000-0000-0000-0000-000000000000",
                 "not-a-code"):
        with pytest.raises(Http404):
            policy.get_or_404(teacher, "org.child.view", Child, code=code)
    with pytest.raises(Http404):  # out of scope: 404, never 403
        policy.require(teacher, "org.child.view", world.k1.other_child)
    with pytest.raises(Http404):
        policy.require(teacher, "org.child.view", world.k2.own_child)


def test_a_role_without_the_capability_is_a_403_on_pages_and_in_the_api(world):
    guard = _actor(world, Role.GUARD)
    with pytest.raises(Forbidden) as exc:
        policy.require(guard, "finance.expense.view", None)
    assert isinstance(exc.value, PermissionDenied)  # 403 on a page, in the API and from a service alike


def test_assets_service_answers_404_for_another_kindergartens_asset(world):
    from houqin.assets import services

    asset = services.asset_create(actor=_actor(world, Role.STOREKEEPER, "k2"), name="钢琴", category="teaching",
                                  quantity=1, school_class=world.k2.classes[0])
    with pytest.raises(Http404):
        services.asset_update(actor=_actor(world, Role.STOREKEEPER), asset=asset, name="偷换")


def test_canteen_service_answers_404_not_403_for_another_kindergartens_row(world):
    from houqin.canteen import services
    from houqin.canteen.models import Dish

    dish = Dish.objects.create(kindergarten=world.k2.kg, name="番茄炒蛋", category="meat")
    with pytest.raises(Http404):
        services.dish_save(actor=_actor(world, Role.CANTEEN), dish=dish, name="偷换", category="meat", ingredients=[])


# --- one audit of sensitive capabilities -----------------------------------------------------------


def test_reading_a_staff_health_certificate_is_audited(world, login):
    from houqin.staff import services

    cert = services.certificate_add(actor=_actor(world, Role.HEALTH_TEACHER), user=world.k1.users[Role.CANTEEN],
                                    issued_on=timezone.localdate(),
                                    scan=upload_file(image_bytes("PNG"), "健康证.png"))
    before = AuditEvent.objects.filter(action="staff.certificate.view").count()
    client = login(world.k1.users[Role.DIRECTOR])
    assert client.get(f"/k/k1/staff/certificates/{cert.code}/").status_code == 200
    assert client.get(f"/k/k1/staff/certificates/{cert.code}/scan/").status_code == 200
    events = AuditEvent.objects.filter(action="staff.certificate.view").order_by("id")[before:]
    assert [(e.outcome, e.object_type, e.object_code) for e in events] == [
        ("success", "staff.HealthCertificate", str(cert.code))] * 2
    assert all(e.actor == world.k1.users[Role.DIRECTOR] for e in events)


def test_an_out_of_scope_attempt_on_a_childs_health_record_is_audited(world, login):
    other = world.k1.other_child
    client = login(world.k1.users[Role.CLASS_TEACHER])
    response = client.get(f"/k/k1/health/children/{other.code}/")
    assert response.status_code == 404
    event = AuditEvent.objects.filter(outcome="denied").exclude(action="auth.login").latest("id")
    assert event.action.startswith("health.") and event.object_code == str(other.code)
    assert event.actor == world.k1.users[Role.CLASS_TEACHER]


def test_a_role_without_a_sensitive_capability_leaves_a_denied_event(world, login):
    response = login(world.k1.users[Role.GUARD]).get("/k/k1/staff/certificates/")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="staff.certificate.view", outcome="denied",
                                     actor=world.k1.users[Role.GUARD]).exists()


# --- one sign-off rule -----------------------------------------------------------------------------


@pytest.fixture
def own_requisition(world):
    from houqin.stock import services
    from houqin.stock.tests.conftest import make_store, receive_tissues

    store = make_store(world)
    keeper = _actor(world, Role.STOREKEEPER)
    receive_tissues(keeper, store, quantity="20")
    requisition = services.requisition_create(actor=keeper, lines=[{"item": store.tissues, "quantity": "2"}],
                                              campus=store.general.campus, purpose="仓库自用")
    return store, requisition


def test_the_storekeeper_cannot_issue_their_own_requisition_through_the_api(world, login, own_requisition):
    from houqin.stock.models import RequisitionStatus

    store, requisition = own_requisition
    client = login(world.k1.users[Role.STOREKEEPER])
    response = client.post(f"/api/k/k1/stock/requisitions/{requisition.code}/issue",
                           {"warehouse_code": str(store.general.code)}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"] == "不能发放或驳回自己的领用申请：请由其他保管员或后勤主任处理。"
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.REQUESTED
    # the director issues it
    director = login(world.k1.users[Role.DIRECTOR])
    ok = director.post(f"/api/k/k1/stock/requisitions/{requisition.code}/issue",
                       {"warehouse_code": str(store.general.code)}, content_type="application/json")
    assert ok.status_code == 200


def test_the_storekeeper_cannot_issue_or_reject_their_own_requisition_on_the_page(world, login, own_requisition):
    from houqin.stock.models import RequisitionStatus

    store, requisition = own_requisition
    client = login(world.k1.users[Role.STOREKEEPER])
    line = requisition.lines.get()
    client.post(f"/k/k1/stock/requisitions/{requisition.code}/issue/", {
        "warehouse": store.general.pk, "occurred_on": "2026-11-25", f"line-{line.code}": "2"})
    client.post(f"/k/k1/stock/requisitions/{requisition.code}/reject/", {"reason": "不要了"})
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.REQUESTED
    assert not requisition.movements.exists()
