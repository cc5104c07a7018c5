"""Purchase and repair requests: the use cases as plain functions, every refusal leaving nothing changed."""

from decimal import Decimal

import pytest
from django.http import Http404

from houqin.core.errors import Conflict, DomainError, Forbidden
from houqin.core.models import AuditEvent, ProtectedRecordError
from houqin.finance import services
from houqin.finance.models import PurchaseRequest, PurchaseRequestLine, RepairRequest, RequestStatus
from houqin.finance.tests.helpers import days_ago, make_purchase, make_repair
from houqin.org.models import Role

pytestmark = pytest.mark.django_db
S = RequestStatus


def test_storekeeper_asks_and_the_director_approves_below_the_threshold(fin):
    purchase = make_purchase(fin, price="128.00", quantity="5")
    assert purchase.status == S.SUBMITTED
    assert purchase.total == Decimal("640.00")
    assert purchase.number.startswith(f"SG-{fin.today.year}-")
    assert not purchase.needs_principal and purchase.threshold_at_submission == Decimal("2000.00")
    approved = services.request_approve(actor=fin.actor(Role.DIRECTOR), request=purchase)
    assert approved.status == S.APPROVED
    assert approved.director_approved_by == fin.user(Role.DIRECTOR)
    assert approved.principal_approved_by is None
    assert approved.history.first().history_user == fin.user(Role.DIRECTOR)
    assert AuditEvent.objects.filter(action="finance.purchase.approve", object_code=str(purchase.code)).count() == 1


def test_at_the_threshold_it_needs_the_principal_after_the_director(fin):
    purchase = make_purchase(fin, price="1000.00", quantity="2")  # exactly ¥2,000
    assert purchase.needs_principal
    step1 = services.request_approve(actor=fin.actor(Role.DIRECTOR), request=purchase)
    assert step1.status == S.DIRECTOR_APPROVED
    step2 = services.request_approve(actor=fin.actor(Role.PRINCIPAL), request=purchase)
    assert step2.status == S.APPROVED
    assert {step2.director_approved_by, step2.principal_approved_by} == {fin.user(Role.DIRECTOR),
                                                                         fin.user(Role.PRINCIPAL)}


def test_the_threshold_is_the_kindergartens_own_setting(fin):
    services.settings_update(actor=fin.actor(Role.PRINCIPAL), approval_threshold="500.00", food_in_budget=False)
    assert make_purchase(fin, price="300.00", quantity="2").needs_principal
    assert not make_purchase(fin, price="100.00", quantity="2").needs_principal
    other = make_purchase(fin, price="300.00", quantity="2", k="k2")
    assert not other.needs_principal  # k2 keeps the shipped default


def test_the_principal_cannot_skip_the_directors_step(fin):
    purchase = make_purchase(fin, price="1500.00", quantity="2")
    with pytest.raises(DomainError) as exc:
        services.request_approve(actor=fin.actor(Role.PRINCIPAL), request=purchase)
    assert exc.value.code == "out_of_order"
    purchase.refresh_from_db()
    assert purchase.status == S.SUBMITTED and purchase.principal_approved_by is None


def test_the_director_cannot_give_the_principals_approval(fin):
    purchase = make_purchase(fin, price="1500.00", quantity="2")
    services.request_approve(actor=fin.actor(Role.DIRECTOR), request=purchase)
    with pytest.raises(DomainError):
        services.request_approve(actor=fin.actor(Role.DIRECTOR), request=purchase)
    with pytest.raises(DomainError):  # nor jump straight to approved through the status gate
        services.purchase_request_set_status(actor=fin.actor(Role.DIRECTOR), request=purchase, status=S.APPROVED)
    purchase.refresh_from_db()
    assert purchase.status == S.DIRECTOR_APPROVED


def test_the_status_gate_refuses_approving_past_the_principal(fin):
    purchase = make_purchase(fin, price="1500.00", quantity="2")
    with pytest.raises(DomainError) as exc:
        services.purchase_request_set_status(actor=fin.actor(Role.DIRECTOR), request=purchase, status=S.APPROVED)
    assert exc.value.code == "needs_principal"
    purchase.refresh_from_db()
    assert purchase.status == S.SUBMITTED


def test_one_person_holding_both_roles_cannot_give_both_approvals(fin):
    from houqin.org.models import Membership

    director = fin.user(Role.DIRECTOR)
    Membership.objects.create(user=director, kindergarten=fin.world.k1.kg, role=Role.PRINCIPAL)
    purchase = make_purchase(fin, price="1500.00", quantity="2")
    both = fin.actor(Role.DIRECTOR)
    services.request_approve(actor=both, request=purchase)
    with pytest.raises(Forbidden):
        services.request_approve(actor=both, request=purchase)
    purchase.refresh_from_db()
    assert purchase.status == S.DIRECTOR_APPROVED and purchase.principal_approved_by is None


def test_nobody_approves_their_own_request(fin):
    purchase = make_purchase(fin, role=Role.DIRECTOR, price="10.00")
    with pytest.raises(Forbidden):
        services.request_approve(actor=fin.actor(Role.DIRECTOR), request=purchase)
    with pytest.raises(Forbidden):
        services.request_reject(actor=fin.actor(Role.DIRECTOR), request=purchase, reason="算了")
    purchase.refresh_from_db()
    assert purchase.status == S.SUBMITTED


def test_a_directors_own_request_is_decided_by_the_principal_alone(fin):
    purchase = make_purchase(fin, role=Role.DIRECTOR, price="10.00")
    assert purchase.requester_is_director and purchase.needs_principal
    assert purchase.approver_step == "principal"
    approved = services.request_approve(actor=fin.actor(Role.PRINCIPAL), request=purchase)
    assert approved.status == S.APPROVED
    assert approved.director_approved_by is None and approved.principal_approved_by == fin.user(Role.PRINCIPAL)


def test_reject_needs_a_reason_and_closes_the_request(fin):
    purchase = make_purchase(fin)
    with pytest.raises(DomainError) as exc:
        services.request_reject(actor=fin.actor(Role.DIRECTOR), request=purchase, reason="  ")
    assert exc.value.errors[0]["field"] == "reason"
    purchase.refresh_from_db()
    assert purchase.status == S.SUBMITTED
    rejected = services.request_reject(actor=fin.actor(Role.DIRECTOR), request=purchase, reason="库存还够")
    assert rejected.status == S.REJECTED and rejected.decision_note == "库存还够"
    assert rejected.closed_by == fin.user(Role.DIRECTOR)
    with pytest.raises(Conflict):  # decided: a late approval loses
        services.request_approve(actor=fin.actor(Role.DIRECTOR), request=purchase)


def test_the_principal_may_reject_at_the_directors_step(fin):
    purchase = make_purchase(fin)
    assert services.request_reject(actor=fin.actor(Role.PRINCIPAL), request=purchase, reason="不需要").status == S.REJECTED


def test_illegal_moves_are_refused(fin):
    purchase = make_purchase(fin, submit=False)
    for status in (S.APPROVED, S.ORDERED, S.DONE, S.REJECTED):
        with pytest.raises(DomainError):
            services.purchase_request_set_status(actor=fin.actor(Role.DIRECTOR), request=purchase, status=status)
    purchase.refresh_from_db()
    assert purchase.status == S.DRAFT
    with pytest.raises(DomainError):  # a purchase is never "under repair"
        services.purchase_request_set_status(actor=fin.actor(Role.DIRECTOR), request=purchase, status=S.IN_REPAIR)


def test_only_the_requester_submits_and_edits_a_draft(fin):
    purchase = make_purchase(fin, submit=False)
    with pytest.raises(Forbidden):
        services.request_submit(actor=fin.actor(Role.CANTEEN), request=purchase)
    with pytest.raises(Forbidden):
        services.purchase_request_update(actor=fin.actor(Role.CANTEEN), request=purchase, title="别的")
    edited = services.purchase_request_update(
        actor=fin.actor(Role.STOREKEEPER), request=purchase, title="A4复印纸（加急）",
        lines=[{"description": "A4纸", "quantity": "3", "unit": "箱", "unit_price": "120.00"},
               {"description": "", "quantity": "", "unit": "", "unit_price": ""}],
    )
    assert edited.total == Decimal("360.00") and edited.lines.count() == 1
    services.request_submit(actor=fin.actor(Role.STOREKEEPER), request=purchase)
    with pytest.raises(DomainError):
        services.purchase_request_update(actor=fin.actor(Role.STOREKEEPER), request=purchase, title="改")


@pytest.mark.parametrize("line, field", [
    ({"description": "", "quantity": "1", "unit": "个", "unit_price": "1"}, "description"),
    ({"description": "纸", "quantity": "0", "unit": "个", "unit_price": "1"}, "quantity"),
    ({"description": "纸", "quantity": "-2", "unit": "个", "unit_price": "1"}, "quantity"),
    ({"description": "纸", "quantity": "abc", "unit": "个", "unit_price": "1"}, "quantity"),
    ({"description": "纸", "quantity": "1", "unit": "", "unit_price": "1"}, "unit"),
    ({"description": "纸", "quantity": "1", "unit": "个", "unit_price": "-5"}, "unit_price"),
    ({"description": "纸", "quantity": "1", "unit": "个", "unit_price": "1.005"}, "unit_price"),
    ({"description": "纸", "quantity": "1", "unit": "个", "unit_price": ""}, "unit_price"),
])
def test_bad_lines_are_refused_with_the_line_and_field(fin, line, field):
    before = (PurchaseRequest.objects.count(), PurchaseRequestLine.objects.count())
    with pytest.raises(DomainError) as exc:
        services.purchase_request_create(actor=fin.actor(Role.STOREKEEPER), title="纸", reason="用", lines=[line],
                                         category=fin.category())
    assert exc.value.errors[0]["field"] == f"lines.0.{field}"
    assert (PurchaseRequest.objects.count(), PurchaseRequestLine.objects.count()) == before


def test_a_request_needs_lines_a_reason_and_a_category(fin):
    before = PurchaseRequest.objects.count()
    with pytest.raises(DomainError) as exc:
        services.purchase_request_create(actor=fin.actor(Role.STOREKEEPER), title="", reason="", lines=[],
                                         category=None)
    fields = {e["field"] for e in exc.value.errors}
    assert {"title", "reason", "category", "lines"} <= fields
    assert PurchaseRequest.objects.count() == before


def test_floats_are_refused_for_money(fin):
    with pytest.raises(DomainError):
        services.purchase_request_create(actor=fin.actor(Role.STOREKEEPER), title="纸", reason="用", category=fin.category(),
                                         lines=[{"description": "纸", "quantity": 1, "unit": "箱", "unit_price": 0.1}])


def test_food_stays_out_of_the_kindergarten_budget_unless_it_says_otherwise(fin):
    accountant = fin.actor(Role.ACCOUNTANT)
    food = services.category_create(actor=accountant, name="食品", is_food=True)
    with pytest.raises(DomainError) as exc:
        services.purchase_request_create(actor=fin.actor(Role.CANTEEN), title="大米", reason="午餐", category=food,
                                         lines=[{"description": "大米", "quantity": "10", "unit": "袋", "unit_price": "50"}])
    assert exc.value.errors[0]["field"] == "category"
    services.settings_update(actor=fin.actor(Role.PRINCIPAL), approval_threshold="2000", food_in_budget=True)
    made = services.purchase_request_create(actor=fin.actor(Role.CANTEEN), title="大米", reason="午餐", category=food,
                                            lines=[{"description": "大米", "quantity": "10", "unit": "袋", "unit_price": "50"}])
    assert made.total == Decimal("500.00")


def test_a_category_of_another_kindergarten_is_not_found(fin):
    before = PurchaseRequest.objects.count()
    with pytest.raises(Http404):
        services.purchase_request_create(
            actor=fin.actor(Role.STOREKEEPER), title="纸", reason="用", category=fin.category("办公用品", "k2"),
            lines=[{"description": "纸", "quantity": "1", "unit": "箱", "unit_price": "1"}])
    assert PurchaseRequest.objects.count() == before


def test_roles_without_the_capability_cannot_ask_to_buy(fin):
    with pytest.raises(Forbidden):
        make_purchase(fin, role=Role.CLASS_TEACHER)


def test_cancel_by_the_requester_and_by_the_approvers(fin):
    draft = make_purchase(fin, submit=False)
    assert services.request_cancel(actor=fin.actor(Role.STOREKEEPER), request=draft).status == S.CANCELLED
    approved = make_purchase(fin)
    services.request_approve(actor=fin.actor(Role.DIRECTOR), request=approved)
    with pytest.raises(Forbidden):  # approved: only the director or principal may cancel now
        services.request_cancel(actor=fin.actor(Role.STOREKEEPER), request=approved, reason="不要了")
    with pytest.raises(DomainError):
        services.request_cancel(actor=fin.actor(Role.DIRECTOR), request=approved, reason="")
    assert services.request_cancel(actor=fin.actor(Role.DIRECTOR), request=approved, reason="供应商停产").status == S.CANCELLED


def test_ordered_then_received(fin):
    purchase = make_purchase(fin)
    with pytest.raises(DomainError):
        services.purchase_request_mark_ordered(actor=fin.actor(Role.STOREKEEPER), request=purchase)
    services.request_approve(actor=fin.actor(Role.DIRECTOR), request=purchase)
    with pytest.raises(Forbidden):
        services.purchase_request_mark_ordered(actor=fin.actor(Role.CANTEEN), request=purchase)
    assert services.purchase_request_mark_ordered(actor=fin.actor(Role.STOREKEEPER), request=purchase).status == S.ORDERED
    done = services.purchase_request_mark_received(actor=fin.actor(Role.STOREKEEPER), request=purchase)
    assert done.status == S.DONE and done.done_by == fin.user(Role.STOREKEEPER)
    with pytest.raises(Conflict):
        services.request_cancel(actor=fin.actor(Role.DIRECTOR), request=purchase, reason="x")


def test_requests_cannot_be_deleted(fin):
    purchase = make_purchase(fin)
    with pytest.raises(ProtectedRecordError):
        purchase.delete()
    with pytest.raises(ProtectedRecordError):
        PurchaseRequest.objects.all().delete()


def test_numbers_count_up_per_kindergarten_and_year(fin):
    a, b = make_purchase(fin), make_purchase(fin)
    c = make_purchase(fin, k="k2")
    assert int(b.number[-4:]) == int(a.number[-4:]) + 1
    assert c.number.endswith("-0001")


# --- repairs ----------------------------------------------------------------------------------


def test_anyone_on_the_staff_reports_a_repair_and_the_director_approves(fin):
    repair = make_repair(fin, role=Role.GUARD, cost="0")
    assert repair.status == S.SUBMITTED and repair.number.startswith("WX-")
    assert services.request_approve(actor=fin.actor(Role.DIRECTOR), request=repair).status == S.APPROVED


def test_parents_cannot_report_repairs(fin):
    with pytest.raises(Forbidden):
        make_repair(fin, role=Role.PARENT)


def test_an_expensive_repair_needs_the_principal_too(fin):
    repair = make_repair(fin, cost="2600.00")
    services.request_approve(actor=fin.actor(Role.DIRECTOR), request=repair)
    repair.refresh_from_db()
    assert repair.status == S.DIRECTOR_APPROVED
    assert services.request_approve(actor=fin.actor(Role.PRINCIPAL), request=repair).status == S.APPROVED


def _approved_repair(fin, **kwargs):
    repair = make_repair(fin, **kwargs)
    return services.request_approve(actor=fin.actor(Role.DIRECTOR), request=repair)


def test_the_repair_records_who_fixed_it_the_cost_and_the_dates(fin):
    repair = _approved_repair(fin)
    started = services.repair_request_start(actor=fin.actor(Role.DIRECTOR), request=repair,
                                            fixed_by="contractor", fixer_name="城南水电维修部")
    assert started.status == S.IN_REPAIR and started.started_at
    done = services.repair_request_complete(
        actor=fin.actor(Role.STOREKEEPER), request=repair, fixed_by="contractor", fixer_name="城南水电维修部",
        actual_cost="260.00", repaired_on=fin.today, asset_returned_on=fin.today, notes="更换阀芯",
    )
    assert done.status == S.DONE and done.actual_cost == Decimal("260.00") and done.repaired_on == fin.today
    assert done.done_by == fin.user(Role.STOREKEEPER)


@pytest.mark.parametrize("changes, field", [
    ({"fixed_by": "contractor", "fixer_name": ""}, "fixer_name"),
    ({"fixed_by": "magic"}, "fixed_by"),
    ({"actual_cost": "-1"}, "actual_cost"),
    ({"actual_cost": "12.345"}, "actual_cost"),
    ({"repaired_on": "future"}, "repaired_on"),
    ({"asset_returned_on": "before"}, "asset_returned_on"),
])
def test_bad_repair_records_are_refused(fin, changes, field):
    import datetime as dt

    repair = _approved_repair(fin)
    data = {"fixed_by": "in_house", "fixer_name": "后勤维修组", "actual_cost": "10.00", "repaired_on": fin.today}
    data.update(changes)
    if data["repaired_on"] == "future":
        data["repaired_on"] = fin.today + dt.timedelta(days=2)
    if data.get("asset_returned_on") == "before":
        data["asset_returned_on"] = fin.today - dt.timedelta(days=1)
    with pytest.raises(DomainError) as exc:
        services.repair_request_complete(actor=fin.actor(Role.DIRECTOR), request=repair, **data)
    assert field in {e["field"] for e in exc.value.errors}
    repair.refresh_from_db()
    assert repair.status == S.APPROVED and repair.actual_cost is None


def test_done_through_the_gate_needs_the_repair_record(fin):
    repair = _approved_repair(fin)
    with pytest.raises(DomainError):
        services.repair_request_set_status(actor=fin.actor(Role.DIRECTOR), request=repair, status=S.DONE)
    repair.refresh_from_db()
    assert repair.status == S.APPROVED


def test_a_repair_date_before_the_request_is_refused(fin):
    repair = _approved_repair(fin)
    with pytest.raises(DomainError) as exc:
        services.repair_request_complete(actor=fin.actor(Role.DIRECTOR), request=repair, fixed_by="in_house",
                                         fixer_name="后勤", actual_cost="0", repaired_on=days_ago(30))
    assert exc.value.errors[0]["field"] == "repaired_on"


def test_the_asset_goes_under_repair_and_comes_back(fin):
    from houqin.assets.models import Asset, AssetState

    world = fin.world
    asset = Asset.objects.create(kindergarten=world.k1.kg, label_code="ZC-0001", name="空调", campus=world.k1.campuses[0],
                                 quantity=Decimal("1"), unit="台")
    repair = services.repair_request_create(
        actor=fin.actor(Role.CLASS_TEACHER), title="空调不制冷", location="小一班", reason="不制冷",
        category=fin.category("维修"), estimated_cost="500", asset=asset, submit=True,
    )
    assert repair.asset == asset and repair.campus == asset.campus
    services.request_approve(actor=fin.actor(Role.DIRECTOR), request=repair)
    services.repair_request_start(actor=fin.actor(Role.DIRECTOR), request=repair, fixed_by="contractor",
                                  fixer_name="格力维修站")
    asset.refresh_from_db()
    assert asset.state == AssetState.UNDER_REPAIR
    services.repair_request_complete(actor=fin.actor(Role.DIRECTOR), request=repair, fixed_by="contractor",
                                     fixer_name="格力维修站", actual_cost="420.00", repaired_on=fin.today,
                                     asset_returned_on=fin.today)
    asset.refresh_from_db()
    assert asset.state == AssetState.IN_USE


def test_an_asset_of_another_kindergarten_is_not_found(fin):
    from houqin.assets.models import Asset

    world = fin.world
    asset = Asset.objects.create(kindergarten=world.k2.kg, label_code="ZC-9", name="空调", campus=world.k2.campuses[0],
                                 quantity=Decimal("1"))
    before = RepairRequest.objects.count()
    with pytest.raises(Http404):
        services.repair_request_create(actor=fin.actor(Role.DIRECTOR), title="x", location="y", reason="z",
                                       category=fin.category("维修"), estimated_cost="1", asset=asset)
    assert RepairRequest.objects.count() == before


def test_a_campus_staff_members_report_belongs_to_their_campus(fin):
    guard = fin.user(Role.GUARD)
    membership = guard.memberships.get()
    membership.campus = fin.world.k1.campuses[1]
    membership.save()
    repair = make_repair(fin, role=Role.GUARD)
    assert repair.campus == fin.world.k1.campuses[1]
    from houqin import policy

    assert policy.can(fin.actor(Role.GUARD), "finance.repair.view", repair)
