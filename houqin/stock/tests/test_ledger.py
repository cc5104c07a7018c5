"""The ledger's use cases as plain functions: receive, issue (FEFO), transfer, dispose, correct; the
bad-input rules (each with a clear message and the ledger unchanged); append-only movements; and the
invariant that quantities and values on hand are the sums of the ledger."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404

from houqin.core.errors import Conflict, DomainError, Forbidden
from houqin.core.models import ProtectedRecordError
from houqin.org.models import Role
from houqin.stock import selectors, services
from houqin.stock.models import Batch, Item, Movement, MovementKind, book_value
from houqin.stock.tests.conftest import actor_of, days, receive_rice, receive_tissues

pytestmark = pytest.mark.django_db


def ledger_state():
    """Everything a failed operation must leave as it was."""
    return (
        Movement.objects.count(),
        sorted(Batch.objects.values_list("pk", "quantity", "value")),
    )


def assert_ledger_matches_batches():
    """Quantity and value on hand of every batch equal the sums of its movements (summed in Python:
    SQLite sums decimals as floats)."""
    for batch in Batch.objects.all():
        rows = list(batch.movements.values_list("quantity", "value", "balance_after").order_by("pk"))
        assert sum((q for q, _, _ in rows), Decimal(0)) == batch.quantity, batch
        assert sum((v for _, v, _ in rows), Decimal(0)) == batch.value, batch
        assert batch.value == book_value(batch.quantity, batch.unit_cost)
        running = Decimal(0)
        for quantity, _, after in rows:
            running += quantity
            assert running == after >= 0


# --- receive -------------------------------------------------------------------------------------


def test_receive_makes_a_batch_and_one_receipt(world, store, keeper):
    movement = receive_rice(keeper, store, quantity="100", cost="2.55", produced=-10)
    batch = movement.batch
    assert movement.kind == MovementKind.RECEIPT
    assert (movement.quantity, movement.balance_after, movement.value) == (Decimal("100"), Decimal("100"), Decimal("255.00"))
    assert batch.quantity == Decimal("100") and batch.value == Decimal("255.00")
    assert batch.expiry_date == days(-10) + dt.timedelta(days=180)  # from the item's shelf life
    assert batch.supplier == store.supplier and batch.kindergarten == world.k1.kg
    assert movement.created_by == keeper.user and movement.occurred_on == days(0)


def test_receive_rounds_the_value_to_the_fen(world, store, keeper):
    movement = receive_rice(keeper, store, quantity="3", cost="0.3333")
    assert movement.value == Decimal("1.00")
    services.issue(actor=keeper, item=store.rice, warehouse=store.food, quantity="1")
    services.issue(actor=keeper, item=store.rice, warehouse=store.food, quantity="2")
    movement.batch.refresh_from_db()
    assert movement.batch.quantity == 0 and movement.batch.value == 0
    assert_ledger_matches_batches()


@pytest.mark.parametrize("quantity, message_part", [
    ("0", "greater than zero"), ("-5", "greater than zero"), ("abc", "number"), ("1.23456", "decimal places"),
    ("1e12", "at most"), ("nan", "number"), ("Infinity", "number"),
])
def test_receive_refuses_bad_quantities_and_changes_nothing(world, store, keeper, quantity, message_part):
    before = ledger_state()
    with pytest.raises(DomainError) as exc:
        receive_rice(keeper, store, quantity=quantity)
    assert exc.value.errors[0]["field"] == "quantity"
    assert message_part in str(exc.value.message)
    assert ledger_state() == before
    assert Batch.objects.count() == 0


def test_expiry_before_production_is_refused(world, store, keeper):
    before = ledger_state()
    with pytest.raises(DomainError) as exc:
        services.receive(actor=keeper, warehouse=store.food, item=store.rice, quantity="10", unit_cost="2",
                         production_date=days(-5), expiry_date=days(-6))
    assert {e["field"] for e in exc.value.errors} >= {"expiry_date"}
    assert "before the production date" in str(exc.value.errors[0]["message"])
    assert ledger_state() == before


def test_the_database_refuses_expiry_before_production_too(world, store, keeper):
    with pytest.raises(IntegrityError), transaction.atomic():
        Batch.objects.create(kindergarten=world.k1.kg, item=store.rice, warehouse=store.food, unit_cost=1,
                             production_date=days(0), expiry_date=days(-1), received_at="2026-09-01T08:00:00+08:00")


@pytest.mark.parametrize("kwargs, field", [
    ({"production_date": None, "expiry_date": None}, "production_date"),  # food without its dates
    ({"production_date": days(3)}, "production_date"),  # produced after it arrived
    ({"production_date": days(-200), "expiry_date": days(-2)}, "expiry_date"),  # already expired
])
def test_food_receipt_rules(world, store, keeper, kwargs, field):
    before = ledger_state()
    with pytest.raises(DomainError) as exc:
        services.receive(actor=keeper, warehouse=store.food, item=store.rice, quantity="10", unit_cost="2",
                         **{"production_date": days(-1), **kwargs})
    assert field in {e["field"] for e in exc.value.errors}
    assert ledger_state() == before


def test_goods_go_to_the_right_kind_of_store(world, store, keeper):
    with pytest.raises(DomainError) as exc:
        services.receive(actor=keeper, warehouse=store.general, item=store.rice, quantity="1", unit_cost="1",
                         production_date=days(-1))
    assert exc.value.errors[0]["field"] == "warehouse"
    with pytest.raises(DomainError):
        services.receive(actor=keeper, warehouse=store.food, item=store.tissues, quantity="1", unit_cost="1")
    assert Movement.objects.count() == 0


def test_receipt_date_in_the_future_is_refused(world, store, keeper):
    with pytest.raises(DomainError) as exc:
        receive_rice(keeper, store, occurred_on=days(1))
    assert exc.value.errors[0]["field"] == "occurred_on"


def test_negative_unit_cost_is_refused(world, store, keeper):
    with pytest.raises(DomainError) as exc:
        receive_tissues(keeper, store, cost="-1")
    assert exc.value.errors[0]["field"] == "unit_cost"


def test_only_the_storekeeper_and_director_receive(world, store):
    for role in (Role.CANTEEN, Role.CLASS_TEACHER, Role.PRINCIPAL, Role.ACCOUNTANT):
        with pytest.raises(Forbidden):
            receive_tissues(actor_of(world, role), store)
    receive_tissues(actor_of(world, Role.DIRECTOR), store)
    assert Movement.objects.count() == 1


def test_objects_of_another_kindergarten_look_missing(world, store, store2, keeper):
    with pytest.raises(Http404):
        services.receive(actor=keeper, warehouse=store2.general, item=store.tissues, quantity="1", unit_cost="1")
    with pytest.raises(Http404):
        services.receive(actor=keeper, warehouse=store.general, item=store2.tissues, quantity="1", unit_cost="1")
    assert Movement.objects.count() == 0


# --- issue: FEFO, beyond stock, expired ------------------------------------------------------------


def test_issue_takes_the_earliest_expiring_batch_first_across_batches(world, store, keeper):
    late = receive_rice(keeper, store, quantity="10", produced=-1, expires=100).batch
    early = receive_rice(keeper, store, quantity="5", produced=-1, expires=20).batch
    middle = receive_rice(keeper, store, quantity="5", produced=-1, expires=50).batch
    movements = services.issue(actor=keeper, item=store.rice, warehouse=store.food, quantity="12",
                               kind=MovementKind.ISSUE_KITCHEN)
    assert [(m.batch_id, m.quantity) for m in movements] == [(early.pk, Decimal("-5")), (middle.pk, Decimal("-5")),
                                                             (late.pk, Decimal("-2"))]
    late.refresh_from_db()
    assert late.quantity == Decimal("8")
    assert_ledger_matches_batches()


def test_a_named_batch_is_used_instead_of_fefo(world, store, keeper):
    receive_rice(keeper, store, quantity="5", expires=10)
    named = receive_rice(keeper, store, quantity="5", expires=90).batch
    movements = services.issue(actor=keeper, item=store.rice, warehouse=store.food, quantity="2", batch=named)
    assert [m.batch_id for m in movements] == [named.pk]


def test_issue_beyond_stock_names_what_is_available_and_changes_nothing(world, store, keeper):
    receive_rice(keeper, store, quantity="7.5")
    before = ledger_state()
    with pytest.raises(Conflict) as exc:
        services.issue(actor=keeper, item=store.rice, warehouse=store.food, quantity="8")
    message = str(exc.value.message)
    assert "7.5" in message and "斤" in message and "大米" in message
    assert exc.value.code == "insufficient_stock" and exc.value.status_code == 409
    assert ledger_state() == before


def test_expired_batches_are_not_issued(world, store, keeper):
    expired = receive_rice(keeper, store, quantity="5", produced=-30, expires=5, occurred_on=days(-20)).batch
    Batch.objects.filter(pk=expired.pk).update(expiry_date=days(-1))  # time passes: it expired yesterday
    fresh = receive_rice(keeper, store, quantity="3", expires=30).batch
    before = ledger_state()
    with pytest.raises(Conflict) as exc:
        services.issue(actor=keeper, item=store.rice, warehouse=store.food, quantity="4")
    assert "expired" in str(exc.value.message)
    with pytest.raises(Conflict):
        services.issue(actor=keeper, item=store.rice, warehouse=store.food, quantity="1",
                       batch=Batch.objects.get(pk=expired.pk))
    assert ledger_state() == before
    movements = services.issue(actor=keeper, item=store.rice, warehouse=store.food, quantity="3")
    assert [m.batch_id for m in movements] == [fresh.pk]


@pytest.mark.parametrize("quantity", ["0", "-1", ""])
def test_issue_refuses_zero_and_negative_quantities(world, store, keeper, quantity):
    receive_rice(keeper, store)
    before = ledger_state()
    with pytest.raises(DomainError) as exc:
        services.issue(actor=keeper, item=store.rice, warehouse=store.food, quantity=quantity)
    assert exc.value.errors[0]["field"] == "quantity"
    assert ledger_state() == before


def test_issue_of_the_last_unit_twice_in_a_row(world, store, keeper):
    receive_tissues(keeper, store, quantity="1")
    services.issue(actor=keeper, item=store.tissues, warehouse=store.general, quantity="1")
    before = ledger_state()
    with pytest.raises(Conflict):
        services.issue(actor=keeper, item=store.tissues, warehouse=store.general, quantity="1")
    assert ledger_state() == before


def test_canteen_issues_food_to_the_kitchen_only(world, store, keeper):
    receive_rice(keeper, store)
    receive_tissues(keeper, store)
    canteen = actor_of(world, Role.CANTEEN)
    movements = services.issue(actor=canteen, item=store.rice, warehouse=store.food, quantity="10",
                               kind=MovementKind.ISSUE_KITCHEN)
    assert movements[0].created_by == canteen.user
    with pytest.raises(Forbidden):
        services.issue(actor=canteen, item=store.rice, warehouse=store.food, quantity="1",
                       kind=MovementKind.ISSUE_REQUISITION)
    with pytest.raises(DomainError) as exc:
        services.issue(actor=canteen, item=store.tissues, warehouse=store.general, quantity="1",
                       kind=MovementKind.ISSUE_KITCHEN)
    assert exc.value.errors[0]["field"] == "item"


def test_kitchen_day_is_all_or_nothing_and_reports_every_line(world, store, keeper):
    receive_rice(keeper, store, quantity="20")
    services.receive(actor=keeper, warehouse=store.food, item=store.eggs, quantity="5", unit_cost="6",
                     production_date=days(-1))
    canteen = actor_of(world, Role.CANTEEN)
    before = ledger_state()
    with pytest.raises(Conflict) as exc:
        services.kitchen_issue_day(actor=canteen, warehouse=store.food, lines=[
            {"item": store.rice, "quantity": "10", "field": "rice"},
            {"item": store.eggs, "quantity": "9", "field": "eggs"},
            {"item": store.rice, "quantity": "0", "field": "rice2"},
        ])
    assert [e["field"] for e in exc.value.errors] == ["eggs", "rice2"]
    assert ledger_state() == before
    movements = services.kitchen_issue_day(actor=canteen, warehouse=store.food, lines=[
        {"item": store.rice, "quantity": "10"}, {"item": store.eggs, "quantity": "5"}], occurred_on=days(0))
    assert {m.kind for m in movements} == {MovementKind.ISSUE_KITCHEN}
    assert len(movements) == 2


def test_issue_records_class_and_recipient(world, store, keeper):
    receive_tissues(keeper, store)
    teacher = world.k1.users[Role.CLASS_TEACHER]
    [movement] = services.issue(actor=keeper, item=store.tissues, warehouse=store.general, quantity="3",
                                school_class=world.k1.own_class, recipient=teacher, reason="美工")
    assert (movement.school_class, movement.recipient, movement.reason) == (world.k1.own_class, teacher, "美工")


def test_a_parent_or_outsider_cannot_be_the_recipient(world, store, keeper):
    receive_tissues(keeper, store)
    with pytest.raises(DomainError) as exc:
        services.issue(actor=keeper, item=store.tissues, warehouse=store.general, quantity="1",
                       recipient=world.k1.users[Role.PARENT])
    assert exc.value.errors[0]["field"] == "recipient"
    with pytest.raises(DomainError):
        services.issue(actor=keeper, item=store.tissues, warehouse=store.general, quantity="1",
                       recipient=world.k2.users[Role.CLASS_TEACHER])


# --- transfer, dispose, correct --------------------------------------------------------------------


def test_transfer_moves_batches_with_their_dates_and_cost(world, store, keeper):
    source = receive_tissues(keeper, store, quantity="30", cost="3.2").batch
    movements = services.transfer(actor=keeper, item=store.tissues, from_warehouse=store.general,
                                  to_warehouse=store.other_campus, quantity="12")
    out, arrived = movements
    assert (out.kind, out.quantity, arrived.kind, arrived.quantity) == (
        MovementKind.TRANSFER_OUT, Decimal("-12"), MovementKind.TRANSFER_IN, Decimal("12"))
    assert arrived.counterpart == out and arrived.batch.source == source
    assert arrived.batch.warehouse == store.other_campus and arrived.batch.unit_cost == source.unit_cost
    totals = {r["warehouse"].name: r["quantity"] for r in selectors.stock_on_hand(actor=keeper)}
    assert totals == {"物品仓库": Decimal("18"), "东园物品库": Decimal("12")}
    assert_ledger_matches_batches()


def test_transfer_to_the_same_store_or_the_wrong_kind_is_refused(world, store, keeper):
    receive_tissues(keeper, store)
    before = ledger_state()
    with pytest.raises(DomainError) as exc:
        services.transfer(actor=keeper, item=store.tissues, from_warehouse=store.general,
                          to_warehouse=store.general, quantity="1")
    assert exc.value.errors[0]["field"] == "to_warehouse"
    with pytest.raises(DomainError):
        services.transfer(actor=keeper, item=store.tissues, from_warehouse=store.general, to_warehouse=store.food,
                          quantity="1")
    with pytest.raises(Conflict):
        services.transfer(actor=keeper, item=store.tissues, from_warehouse=store.general,
                          to_warehouse=store.other_campus, quantity="51")
    assert ledger_state() == before


def test_dispose_needs_a_reason_and_stays_within_the_batch(world, store, keeper):
    batch = receive_rice(keeper, store, quantity="10").batch
    before = ledger_state()
    with pytest.raises(DomainError) as exc:
        services.dispose(actor=keeper, batch=batch, quantity="2", reason="  ")
    assert exc.value.errors[0]["field"] == "reason"
    with pytest.raises(Conflict) as exc:
        services.dispose(actor=keeper, batch=batch, quantity="11", reason="发霉")
    assert "10" in str(exc.value.message)
    with pytest.raises(DomainError):
        services.dispose(actor=keeper, batch=batch, quantity="0", reason="发霉")
    assert ledger_state() == before


def test_dispose_expired_food_with_a_witness(world, store, keeper):
    batch = receive_rice(keeper, store, quantity="10").batch
    health = world.k1.users[Role.HEALTH_TEACHER]
    movement = services.dispose(actor=keeper, batch=batch, quantity="4", kind=MovementKind.DISPOSAL_EXPIRED,
                                reason="过期", witness=health)
    assert (movement.kind, movement.quantity, movement.witness) == (MovementKind.DISPOSAL_EXPIRED, Decimal("-4"), health)
    with pytest.raises(DomainError) as exc:
        services.dispose(actor=keeper, batch=batch, quantity="1", reason="过期", witness=keeper.user)
    assert exc.value.errors[0]["field"] == "witness"


def test_disposal_of_goods_without_expiry_as_expired_is_refused(world, store, keeper):
    batch = receive_tissues(keeper, store).batch
    with pytest.raises(DomainError) as exc:
        services.dispose(actor=keeper, batch=batch, quantity="1", kind=MovementKind.DISPOSAL_EXPIRED, reason="旧")
    assert exc.value.errors[0]["field"] == "kind"
    services.dispose(actor=keeper, batch=batch, quantity="1", kind=MovementKind.DISPOSAL_DAMAGED, reason="破损")


def test_a_receipt_is_corrected_once_and_only_while_unused(world, store, keeper):
    wrong = receive_tissues(keeper, store, quantity="500")
    correction = services.receipt_correct(actor=keeper, movement=wrong, reason="数量录错")
    assert (correction.kind, correction.quantity, correction.reverses) == (MovementKind.CORRECTION, Decimal("-500"), wrong)
    with pytest.raises(Conflict):
        services.receipt_correct(actor=keeper, movement=wrong, reason="again")
    used = receive_tissues(keeper, store, quantity="10")
    services.issue(actor=keeper, item=store.tissues, warehouse=store.general, quantity="1")
    before = ledger_state()
    with pytest.raises(Conflict) as exc:
        services.receipt_correct(actor=keeper, movement=used, reason="错")
    assert "9" in str(exc.value.message)
    with pytest.raises(DomainError):
        services.receipt_correct(actor=keeper, movement=Movement.objects.filter(kind="issue_requisition").get(),
                                 reason="x")
    assert ledger_state() == before
    assert_ledger_matches_batches()


# --- append-only ------------------------------------------------------------------------------------


def test_movements_refuse_update_and_delete(world, store, keeper):
    movement = receive_tissues(keeper, store)
    movement.quantity = Decimal("999")
    with pytest.raises(ProtectedRecordError):
        movement.save()
    with pytest.raises(ProtectedRecordError):
        movement.delete()
    with pytest.raises(ProtectedRecordError):
        Movement.objects.filter(pk=movement.pk).update(quantity=1)
    with pytest.raises(ProtectedRecordError):
        Movement.objects.all().delete()
    assert Movement.objects.get(pk=movement.pk).quantity == Decimal("50")


def test_the_database_refuses_a_negative_batch(world, store, keeper):
    batch = receive_tissues(keeper, store).batch
    with pytest.raises(IntegrityError), transaction.atomic():
        Batch.objects.filter(pk=batch.pk).update(quantity=Decimal("-1"))


# --- the invariant after a random sequence of operations -----------------------------------------


def test_quantities_and_values_on_hand_always_equal_the_ledger(world, store, keeper):
    rng = random.Random(20260901)
    canteen = actor_of(world, Role.CANTEEN)
    warehouses = {"food": store.food, "general": store.general, "east": store.other_campus}
    goods = [(store.rice, "food"), (store.eggs, "food"), (store.tissues, "general"), (store.bleach, "general"),
             (store.tissues, "east")]
    refused = done = 0
    for _ in range(250):
        item, where = rng.choice(goods)
        warehouse = warehouses[where]
        quantity = str(Decimal(rng.randint(-2, 40)) / rng.choice([1, 2, 4, 8]))
        op = rng.choice(["receive", "receive", "issue", "kitchen", "transfer", "dispose", "correct"])
        before = ledger_state()
        try:
            if op == "receive":
                cost = str(Decimal(rng.randint(0, 99999)) / 10000)
                services.receive(actor=keeper, warehouse=warehouse, item=item, quantity=quantity, unit_cost=cost,
                                 production_date=days(-rng.randint(0, 5)) if item.is_food else None)
            elif op == "issue":
                services.issue(actor=keeper, item=item, warehouse=warehouse, quantity=quantity)
            elif op == "kitchen":
                services.issue(actor=canteen, item=item, warehouse=warehouse, quantity=quantity,
                               kind=MovementKind.ISSUE_KITCHEN)
            elif op == "transfer":
                target = store.other_campus if warehouse == store.general else store.general
                services.transfer(actor=keeper, item=item, from_warehouse=warehouse, to_warehouse=target,
                                  quantity=quantity)
            elif op == "dispose":
                batch = Batch.objects.filter(item=item, warehouse=warehouse, quantity__gt=0).first()
                if batch is None:
                    continue
                services.dispose(actor=keeper, batch=batch, quantity=quantity, kind=MovementKind.DISPOSAL_DAMAGED,
                                 reason="破损")
            else:
                receipt = Movement.objects.filter(kind=MovementKind.RECEIPT).order_by("?").first()
                if receipt is None:
                    continue
                services.receipt_correct(actor=keeper, movement=receipt, reason="录错")
            done += 1
        except DomainError:
            refused += 1
            assert ledger_state() == before, op  # a refusal changes nothing
    assert done > 50 and refused > 20
    assert_ledger_matches_batches()
    rows = selectors.stock_on_hand(actor=keeper)
    ledger_value = sum(Movement.objects.values_list("value", flat=True), Decimal(0))
    assert sum((r["value"] for r in rows), Decimal(0)) == ledger_value
    for row in rows:
        quantities = Movement.objects.filter(item=row["item"], warehouse=row["warehouse"]).values_list("quantity",
                                                                                                      flat=True)
        assert sum(quantities, Decimal(0)) == row["quantity"]


# --- catalogue ----------------------------------------------------------------------------------


def test_item_create_derives_food_and_pinyin(world, keeper):
    item = services.item_create(actor=keeper, name="绿豆", unit="斤", category="dry_goods", minimum_level="5",
                                shelf_life_days=365)
    assert item.is_food and item.name_initials == "ld" and item.minimum_level == Decimal("5")
    with pytest.raises(DomainError) as exc:
        services.item_create(actor=keeper, name="绿豆", unit="斤", category="dry_goods")
    assert exc.value.errors[0]["field"] == "name"
    with pytest.raises(DomainError) as exc:
        services.item_create(actor=keeper, name="黄豆", unit="斤", category="dry_goods", minimum_level="-1")
    assert exc.value.errors[0]["field"] == "minimum_level"
    with pytest.raises(Forbidden):
        services.item_create(actor=actor_of(world, Role.CANTEEN), name="黄豆", unit="斤", category="dry_goods")
    assert Item.objects.filter(name="黄豆").count() == 0


def test_an_item_with_stock_cannot_switch_between_food_and_goods(world, store, keeper):
    receive_tissues(keeper, store)
    with pytest.raises(DomainError) as exc:
        services.item_update(actor=keeper, item=store.tissues, category="fruit")
    assert exc.value.errors[0]["field"] == "category"
    services.item_update(actor=keeper, item=store.tissues, minimum_level="30", category="cleaning")
    store.tissues.refresh_from_db()
    assert store.tissues.minimum_level == Decimal("30") and not store.tissues.is_food
    assert store.tissues.history.count() == 2
