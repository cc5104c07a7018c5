"""Requisitions (ask → issue / reject / cancel) and stocktakes (open → count → post / close) as plain
functions: their state machines, who may do what, and the bad inputs."""

from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from houqin.core.errors import Conflict, DomainError, Forbidden
from houqin.org.models import Role
from houqin.stock import selectors, services
from houqin.stock.models import (
    Batch,
    Movement,
    MovementKind,
    Requisition,
    RequisitionLine,
    RequisitionStatus,
    Stocktake,
    StocktakeLine,
    StocktakeStatus,
)
from houqin.stock.tests.conftest import actor_of, receive_rice, receive_tissues
from houqin.stock.tests.test_ledger import assert_ledger_matches_batches, ledger_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher(world):
    return actor_of(world, Role.CLASS_TEACHER)


def ask(actor, store, school_class=None, **lines):
    wanted = [{"item": getattr(store, name), "quantity": quantity} for name, quantity in lines.items()]
    return services.requisition_create(actor=actor, lines=wanted, school_class=school_class, purpose="美工活动")


# --- requisitions: asking ------------------------------------------------------------------------


def test_a_class_teacher_asks_for_their_class(world, store, teacher):
    requisition = ask(teacher, store, world.k1.own_class, tissues="4", bleach="1")
    assert requisition.status == RequisitionStatus.REQUESTED
    assert (requisition.requested_by, requisition.school_class, requisition.campus) == (
        teacher.user, world.k1.own_class, world.k1.own_class.campus)
    assert requisition.requested_at is not None and requisition.number == "LY00001"
    assert [(line.item.name, line.quantity_requested) for line in requisition.lines.order_by("pk")] == [
        ("抽纸", Decimal("4")), ("84消毒液", Decimal("1"))]
    assert ask(teacher, store, world.k1.own_class, tissues="1").number == "LY00002"


def test_a_class_teacher_cannot_ask_for_another_class_or_for_no_class(world, store, teacher):
    with pytest.raises(Http404):
        ask(teacher, store, world.k1.other_class, tissues="1")
    with pytest.raises(Http404):
        ask(teacher, store, world.k2.own_class, tissues="1")
    with pytest.raises(DomainError) as exc:
        ask(teacher, store, None, tissues="1")
    assert exc.value.errors[0]["field"] == "school_class"
    assert Requisition.objects.count() == 0


def test_staff_without_a_class_ask_for_themselves(world, store):
    guard = actor_of(world, Role.GUARD)
    with pytest.raises(DomainError) as exc:  # two campuses: which one?
        ask(guard, store, tissues="2")
    assert exc.value.errors[0]["field"] == "campus"
    requisition = services.requisition_create(actor=guard, lines=[{"item": store.tissues, "quantity": "2"}],
                                              campus=world.k1.campuses[1])
    assert requisition.school_class is None and requisition.requested_by == guard.user
    with pytest.raises(Forbidden):
        ask(actor_of(world, Role.PARENT), store, tissues="1")


@pytest.mark.parametrize("lines, message_part", [
    ([], "at least one item"),
    ([{"item": "tissues", "quantity": "0"}], "greater than zero"),
    ([{"item": "tissues", "quantity": "-2"}], "greater than zero"),
    ([{"item": "tissues", "quantity": "1"}, {"item": "tissues", "quantity": "2"}], "listed twice"),
    ([{"item": None, "quantity": "2"}], "choose an item"),
])
def test_bad_requisitions_are_refused_and_nothing_is_saved(world, store, teacher, lines, message_part):
    wanted = [{"item": getattr(store, line["item"]) if line["item"] else None, "quantity": line["quantity"]}
              for line in lines]
    with pytest.raises(DomainError) as exc:
        services.requisition_create(actor=teacher, lines=wanted, school_class=world.k1.own_class)
    assert message_part in " ".join(str(e["message"]) for e in exc.value.errors)
    assert Requisition.objects.count() == RequisitionLine.objects.count() == 0


# --- requisitions: issuing -----------------------------------------------------------------------


def test_the_storekeeper_issues_a_requisition_and_both_signatures_are_kept(world, store, keeper, teacher):
    receive_tissues(keeper, store, quantity="10")
    requisition = ask(teacher, store, world.k1.own_class, tissues="4")
    issued = services.requisition_issue(actor=keeper, requisition=requisition, warehouse=store.general)
    assert issued.status == RequisitionStatus.ISSUED
    assert (issued.requested_by, issued.issued_by) == (teacher.user, keeper.user)
    assert issued.issued_at >= issued.requested_at
    [movement] = Movement.objects.filter(requisition=issued)
    assert (movement.kind, movement.quantity, movement.school_class, movement.recipient, movement.created_by) == (
        MovementKind.ISSUE_REQUISITION, Decimal("-4"), world.k1.own_class, teacher.user, keeper.user)
    assert issued.lines.get().quantity_issued == Decimal("4")
    assert [h.status for h in issued.history.order_by("history_date")] == ["requested", "issued"]
    on_hand = {r["item"].name: r["quantity"] for r in selectors.stock_on_hand(actor=keeper)}
    assert on_hand["抽纸"] == Decimal("6")


def test_partly_issued_then_the_rest(world, store, keeper, teacher):
    receive_tissues(keeper, store, quantity="10")
    receive_rice(keeper, store, quantity="1")
    requisition = ask(teacher, store, world.k1.own_class, tissues="6", bleach="2")
    services.receive(actor=keeper, warehouse=store.general, item=store.bleach, quantity="1", unit_cost="6.8",
                     production_date=None)
    lines = {line.item.name: line for line in requisition.lines.all()}
    services.requisition_issue(actor=keeper, requisition=requisition, warehouse=store.general,
                               quantities={lines["抽纸"].code: Decimal("6"), lines["84消毒液"].code: Decimal("1")})
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.PARTLY_ISSUED
    before = ledger_state()
    with pytest.raises(DomainError) as exc:  # more than is still asked for
        services.requisition_issue(actor=keeper, requisition=requisition, warehouse=store.general,
                                   quantities={lines["84消毒液"].code: Decimal("2")})
    assert exc.value.errors[0]["field"] == f"line-{lines['84消毒液'].code}"
    with pytest.raises(Conflict):  # beyond stock (none left)
        services.requisition_issue(actor=keeper, requisition=requisition, warehouse=store.general)
    assert ledger_state() == before
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.PARTLY_ISSUED
    services.receive(actor=keeper, warehouse=store.general, item=store.bleach, quantity="5", unit_cost="6.8")
    services.requisition_issue(actor=keeper, requisition=requisition, warehouse=store.general)
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.ISSUED
    assert [line.quantity_issued for line in requisition.lines.order_by("pk")] == [Decimal("6"), Decimal("2")]
    assert_ledger_matches_batches()


def test_issuing_beyond_stock_changes_nothing(world, store, keeper, teacher):
    receive_tissues(keeper, store, quantity="3")
    requisition = ask(teacher, store, world.k1.own_class, tissues="4")
    before = ledger_state()
    with pytest.raises(Conflict) as exc:
        services.requisition_issue(actor=keeper, requisition=requisition, warehouse=store.general)
    assert "3" in str(exc.value.message)
    assert ledger_state() == before
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.REQUESTED and requisition.issued_by is None
    assert requisition.lines.get().quantity_issued == 0


def test_a_requisition_needs_a_quantity_to_issue(world, store, keeper, teacher):
    receive_tissues(keeper, store)
    requisition = ask(teacher, store, world.k1.own_class, tissues="4")
    line = requisition.lines.get()
    for quantity in ("0", "-1"):
        with pytest.raises(DomainError):
            services.requisition_issue(actor=keeper, requisition=requisition, warehouse=store.general,
                                       quantities={line.code: quantity})
    assert Movement.objects.filter(kind=MovementKind.ISSUE_REQUISITION).count() == 0


def test_only_the_storekeeper_and_director_issue(world, store, keeper, teacher):
    receive_tissues(keeper, store)
    requisition = ask(teacher, store, world.k1.own_class, tissues="1")
    for role in (Role.CLASS_TEACHER, Role.CANTEEN, Role.PRINCIPAL, Role.ACCOUNTANT):
        with pytest.raises(Forbidden):
            services.requisition_issue(actor=actor_of(world, role), requisition=requisition, warehouse=store.general)
    services.requisition_issue(actor=actor_of(world, Role.DIRECTOR), requisition=requisition, warehouse=store.general)


def test_the_requester_withdraws_their_own_open_requisition(world, store, keeper, teacher):
    requisition = ask(teacher, store, world.k1.own_class, tissues="1")
    nursery = actor_of(world, Role.NURSERY)
    with pytest.raises(Forbidden):  # same class, but not theirs
        services.requisition_cancel(actor=nursery, requisition=requisition)
    cancelled = services.requisition_cancel(actor=teacher, requisition=requisition, reason="不需要了")
    assert (cancelled.status, cancelled.closed_by, cancelled.close_reason) == (
        RequisitionStatus.CANCELLED, teacher.user, "不需要了")
    with pytest.raises(Conflict):
        services.requisition_cancel(actor=teacher, requisition=requisition)
    receive_tissues(keeper, store)
    with pytest.raises(Conflict):
        services.requisition_issue(actor=keeper, requisition=requisition, warehouse=store.general)


def test_rejecting_needs_a_reason(world, store, keeper, teacher):
    requisition = ask(teacher, store, world.k1.own_class, tissues="100")
    with pytest.raises(DomainError) as exc:
        services.requisition_reject(actor=keeper, requisition=requisition, reason="")
    assert exc.value.errors[0]["field"] == "reason"
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.REQUESTED
    with pytest.raises(Forbidden):
        services.requisition_reject(actor=teacher, requisition=requisition, reason="x")
    services.requisition_reject(actor=keeper, requisition=requisition, reason="数量过多")
    requisition.refresh_from_db()
    assert (requisition.status, requisition.closed_by) == (RequisitionStatus.REJECTED, keeper.user)


def test_the_state_machine_refuses_illegal_moves(world, store, keeper, teacher):
    receive_tissues(keeper, store)
    requisition = ask(teacher, store, world.k1.own_class, tissues="1")
    with pytest.raises(Conflict):  # issued without anything issued
        services.requisition_set_status(actor=keeper, requisition=requisition, status=RequisitionStatus.ISSUED)
    services.requisition_issue(actor=keeper, requisition=requisition, warehouse=store.general)
    for status in (RequisitionStatus.REQUESTED, RequisitionStatus.CANCELLED, RequisitionStatus.REJECTED,
                   RequisitionStatus.PARTLY_ISSUED):
        with pytest.raises(Conflict):
            services.requisition_set_status(actor=keeper, requisition=requisition, status=status, reason="x")
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.ISSUED


# --- what classes and people took ---------------------------------------------------------------


def test_consumption_by_class_and_person_follow_the_scope(world, store, keeper, teacher):
    receive_tissues(keeper, store, quantity="100", cost="3")
    mine = ask(teacher, store, world.k1.own_class, tissues="4")
    services.requisition_issue(actor=keeper, requisition=mine, warehouse=store.general)
    other_teacher = actor_of(world, Role.DIRECTOR)
    theirs = ask(other_teacher, store, world.k1.other_class, tissues="6")
    services.requisition_issue(actor=keeper, requisition=theirs, warehouse=store.general)
    today = timezone.localdate(mine.requested_at)  # the local day (Asia/Shanghai), not UTC's
    by_class = selectors.consumption_by_class(actor=keeper, start=today, end=today)
    assert {c["school_class"]: c["value"] for c in by_class} == {
        world.k1.own_class.name: Decimal("12.00"), world.k1.other_class.name: Decimal("18.00")}
    assert selectors.consumption_by_class(actor=teacher, start=today, end=today)[0]["lines"] == [
        {"item": "抽纸", "unit": "包", "quantity": Decimal("4"), "value": Decimal("12.00")}]
    assert len(selectors.consumption_by_class(actor=teacher, start=today, end=today)) == 1
    people = {p["person"]: p["value"] for p in selectors.consumption_by_person(actor=keeper, start=today, end=today)}
    assert people == {teacher.user.display_name: Decimal("12.00"), other_teacher.user.display_name: Decimal("18.00")}


# --- stocktakes --------------------------------------------------------------------------------


def test_a_stocktake_counts_explains_and_posts_the_differences(world, store, keeper):
    tissues = receive_tissues(keeper, store, quantity="20", cost="3.2").batch
    bleach = services.receive(actor=keeper, warehouse=store.general, item=store.bleach, quantity="10",
                              unit_cost="6.8").batch
    stocktake = services.stocktake_open(actor=keeper, warehouse=store.general)
    assert stocktake.status == StocktakeStatus.OPEN and stocktake.number == "PD0001"
    lines = {line.batch_id: line for line in stocktake.lines.all()}
    assert {b: line.book_quantity for b, line in lines.items()} == {tissues.pk: Decimal("20"), bleach.pk: Decimal("10")}

    services.stocktake_record_count(actor=keeper, line=lines[tissues.pk], counted_quantity="18")
    with pytest.raises(DomainError) as exc:  # not all counted
        services.stocktake_post(actor=keeper, stocktake=stocktake)
    assert "not counted" in str(exc.value.message)
    services.stocktake_record_count(actor=keeper, line=lines[bleach.pk], counted_quantity="10")
    with pytest.raises(DomainError) as exc:  # the difference is not explained
        services.stocktake_post(actor=keeper, stocktake=stocktake)
    assert "抽纸" in str(exc.value.message)
    assert Movement.objects.filter(kind=MovementKind.STOCKTAKE_ADJUSTMENT).count() == 0

    line = services.stocktake_explain(actor=keeper, line=lines[tissues.pk], explanation="两包受潮")
    assert (line.difference, line.difference_value) == (Decimal("-2"), Decimal("-6.40"))
    posted = services.stocktake_post(actor=keeper, stocktake=stocktake)
    assert (posted.status, posted.posted_by) == (StocktakeStatus.POSTED, keeper.user)
    [adjustment] = Movement.objects.filter(kind=MovementKind.STOCKTAKE_ADJUSTMENT)
    assert (adjustment.batch_id, adjustment.quantity, adjustment.value, adjustment.stocktake, adjustment.reason) == (
        tissues.pk, Decimal("-2"), Decimal("-6.40"), posted, "两包受潮")
    assert Batch.objects.get(pk=tissues.pk).quantity == Decimal("18")
    assert_ledger_matches_batches()


def test_a_posted_or_closed_stocktake_can_no_longer_change(world, store, keeper):
    receive_tissues(keeper, store, quantity="5")
    stocktake = services.stocktake_open(actor=keeper, warehouse=store.general)
    line = stocktake.lines.get()
    services.stocktake_record_count(actor=keeper, line=line, counted_quantity="5")
    services.stocktake_post(actor=keeper, stocktake=stocktake)
    before = ledger_state()
    with pytest.raises(Conflict):
        services.stocktake_record_count(actor=keeper, line=line, counted_quantity="1")
    with pytest.raises(Conflict):
        services.stocktake_explain(actor=keeper, line=line, explanation="x")
    with pytest.raises(Conflict):
        services.stocktake_post(actor=keeper, stocktake=stocktake)
    with pytest.raises(Conflict):
        services.stocktake_close(actor=keeper, stocktake=stocktake, reason="x")
    assert StocktakeLine.objects.get(pk=line.pk).counted_quantity == Decimal("5")
    assert ledger_state() == before

    second = services.stocktake_open(actor=keeper, warehouse=store.general)
    with pytest.raises(DomainError) as exc:
        services.stocktake_close(actor=keeper, stocktake=second, reason="")
    assert exc.value.errors[0]["field"] == "reason"
    closed = services.stocktake_close(actor=keeper, stocktake=second, reason="盘点日期改期")
    assert closed.status == StocktakeStatus.CLOSED
    with pytest.raises(Conflict):
        services.stocktake_record_count(actor=keeper, line=second.lines.get(), counted_quantity="0")
    assert ledger_state() == before


def test_one_open_stocktake_per_warehouse(world, store, keeper):
    services.stocktake_open(actor=keeper, warehouse=store.general)
    with pytest.raises(Conflict):
        services.stocktake_open(actor=keeper, warehouse=store.general)
    services.stocktake_open(actor=keeper, warehouse=store.food)
    assert Stocktake.objects.count() == 2


def test_counts_refuse_negative_quantities(world, store, keeper):
    receive_tissues(keeper, store, quantity="5")
    stocktake = services.stocktake_open(actor=keeper, warehouse=store.general)
    for bad in ("-1", "abc", ""):
        with pytest.raises(DomainError):
            services.stocktake_record_count(actor=keeper, line=stocktake.lines.get(), counted_quantity=bad)
    assert stocktake.lines.get().counted_quantity is None


def test_issues_during_the_count_are_not_differences(world, store, keeper):
    receive_tissues(keeper, store, quantity="10")
    stocktake = services.stocktake_open(actor=keeper, warehouse=store.general)
    services.issue(actor=keeper, item=store.tissues, warehouse=store.general, quantity="3")  # before counting
    line = services.stocktake_record_count(actor=keeper, line=stocktake.lines.get(), counted_quantity="7")
    assert line.book_quantity == Decimal("7") and line.difference == 0
    services.stocktake_post(actor=keeper, stocktake=stocktake)
    assert not Movement.objects.filter(kind=MovementKind.STOCKTAKE_ADJUSTMENT).exists()


def test_only_storekeeper_and_director_count(world, store, keeper):
    receive_tissues(keeper, store)
    with pytest.raises(Forbidden):
        services.stocktake_open(actor=actor_of(world, Role.PRINCIPAL), warehouse=store.general)
    stocktake = services.stocktake_open(actor=actor_of(world, Role.DIRECTOR), warehouse=store.general)
    with pytest.raises(Forbidden):
        services.stocktake_record_count(actor=actor_of(world, Role.ACCOUNTANT), line=stocktake.lines.get(),
                                        counted_quantity="1")
