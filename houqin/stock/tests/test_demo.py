"""The demo term of the storeroom: plausible, consistent with the ledger's rules, and with the to-dos
planted (judged against the demo's own last day, not today's date)."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone

from houqin.org import demo
from houqin.org.models import Kindergarten, SchoolClass
from houqin.stock.models import (
    Batch,
    Item,
    Movement,
    MovementKind,
    Requisition,
    RequisitionStatus,
    StockSettings,
    Stocktake,
    StocktakeStatus,
    Supplier,
    Warehouse,
    book_value,
)

pytestmark = pytest.mark.django_db


def test_the_demo_term_of_the_storeroom(demo_built):
    result = demo_built
    assert result["counts"]["stock movements"] > 1500
    dates = demo.dates_for()
    DEMO_END, today = dates.last_day, dates.today

    # every batch equals its ledger; no issue ever took an expired batch or went below zero
    sums = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for batch_id, quantity, value in Movement.objects.values_list("batch_id", "quantity", "value"):
        sums[batch_id][0] += quantity
        sums[batch_id][1] += value
    for batch in Batch.objects.all():
        assert sums[batch.pk] == [batch.quantity, batch.value], batch
        assert batch.value == book_value(batch.quantity, batch.unit_cost)
    issued = Movement.objects.filter(kind__in=[MovementKind.ISSUE_KITCHEN, MovementKind.ISSUE_REQUISITION])
    for occurred_on, expiry in issued.values_list("occurred_on", "batch__expiry_date"):
        assert expiry is None or expiry >= occurred_on
    assert not Movement.objects.filter(balance_after__lt=0).exists()
    assert Movement.objects.filter(occurred_on__gt=today).count() == 0
    days = dates.days  # today's kitchen issue is made by 9 a.m.
    for slug in ("demo", "demo2"):
        kg = Kindergarten.objects.get(slug=slug)
        warehouses = Warehouse.objects.filter(kindergarten=kg)
        assert warehouses.filter(kind="food").count() == warehouses.filter(kind="general").count() >= 1
        assert Supplier.objects.filter(kindergarten=kg).count() >= 5
        assert {"大米", "面粉", "食用油", "鸡蛋", "猪肉", "青菜", "抽纸", "洗手液", "84消毒液", "垃圾袋", "彩纸",
                "蜡笔"} <= set(Item.objects.filter(kindergarten=kg).values_list("name", flat=True))
        kitchen_days = set(Movement.objects.filter(kindergarten=kg, kind=MovementKind.ISSUE_KITCHEN)
                           .values_list("occurred_on", flat=True))
        assert kitchen_days == set(days), slug  # the kitchen drew food every school day, and only then
        kinds = set(Movement.objects.filter(kindergarten=kg).values_list("kind", flat=True))
        assert kinds >= {MovementKind.RECEIPT, MovementKind.ISSUE_KITCHEN, MovementKind.ISSUE_REQUISITION,
                         MovementKind.DISPOSAL_EXPIRED, MovementKind.DISPOSAL_DAMAGED,
                         MovementKind.STOCKTAKE_ADJUSTMENT, MovementKind.CORRECTION}
        stocktake = Stocktake.objects.get(kindergarten=kg)
        assert stocktake.status == StocktakeStatus.POSTED and stocktake.lines.filter(explanation__gt="").count() == 2
        statuses = set(Requisition.objects.filter(kindergarten=kg).values_list("status", flat=True))
        assert statuses >= {RequisitionStatus.REQUESTED, RequisitionStatus.ISSUED, RequisitionStatus.REJECTED,
                            RequisitionStatus.CANCELLED}
        settings = StockSettings.objects.get(kindergarten=kg)
        assert settings.expiry_warning_days == 7
        assert settings.next_requisition_number == Requisition.objects.filter(kindergarten=kg).count() + 1

        # planted for the to-dos, as of the demo's last day
        on_hand = Batch.objects.filter(kindergarten=kg, quantity__gt=0)
        assert on_hand.filter(expiry_date__lt=today).exists()  # expired, still on the shelf
        assert on_hand.filter(expiry_date__gte=today, expiry_date__lte=today + dt.timedelta(days=7)).exists()
        usable = defaultdict(Decimal)
        for b in on_hand:
            if not (b.expiry_date and b.expiry_date < today):
                usable[b.item_id] += b.quantity
        low = {i.name for i in Item.objects.filter(kindergarten=kg, minimum_level__gt=0) if usable[i.pk] < i.minimum_level}
        assert low == {"洗手液", "医用口罩", "彩纸"}, (slug, low)

    # the demo teacher's class waits for the storekeeper
    own_class = SchoolClass.objects.get(kindergarten__slug="demo", name="中一班", campus__name="本部")
    waiting = Requisition.objects.filter(school_class=own_class, requested_by__username="teacher",
                                         status=RequisitionStatus.REQUESTED).order_by("number").last()
    assert timezone.localtime(waiting.requested_at).date() == DEMO_END and waiting.lines.count() == 3
    assert waiting.history.count() == 1
    issued_req = Requisition.objects.filter(kindergarten__slug="demo", status=RequisitionStatus.ISSUED).first()
    assert [h.status for h in issued_req.history.order_by("history_date")] == ["requested", "issued"]
