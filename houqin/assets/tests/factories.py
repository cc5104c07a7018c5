"""Factories of fixed assets, and the assets of the standard test world."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import factory

from houqin.assets.models import Asset, AssetStocktake, AssetStocktakeLine, Category, Handover, HandoverLine, Room


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    campus = factory.SubFactory("houqin.testing.CampusFactory")
    kindergarten = factory.SelfAttribute("campus.kindergarten")
    name = factory.Sequence(lambda n: f"活动室{n}")


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    room = factory.SubFactory(RoomFactory)
    kindergarten = factory.SelfAttribute("room.kindergarten")
    campus = factory.SelfAttribute("room.campus")
    school_class = factory.SelfAttribute("room.school_class")
    label_code = factory.Sequence(lambda n: f"ZC-2025-{n + 1:04d}")
    name = factory.Sequence(lambda n: f"幼儿椅{n}")
    category = Category.FURNITURE
    quantity = Decimal("30")
    unit = "把"
    unit_price = Decimal("45.50")
    purchase_date = dt.date(2025, 8, 20)


def make_handover(school_class, *, kind="start", term="autumn", school_year=2026, status="open", **kwargs):
    """A handover of the class with one line per asset of the class (as services.handover_open)."""
    handover = Handover.objects.create(kindergarten=school_class.kindergarten, school_class=school_class,
                                       school_year=school_year, term=term, kind=kind, status=status, **kwargs)
    for asset in Asset.objects.filter(school_class=school_class).order_by("label_code"):
        HandoverLine.objects.create(kindergarten=asset.kindergarten, handover=handover, asset=asset,
                                    expected_quantity=asset.quantity)
    return handover


def make_stocktake(room, *, counted_on=dt.date(2026, 10, 30)):
    stocktake = AssetStocktake.objects.create(kindergarten=room.kindergarten, campus=room.campus, room=room,
                                              counted_on=counted_on)
    for asset in Asset.objects.filter(room=room).order_by("label_code"):
        AssetStocktakeLine.objects.create(kindergarten=asset.kindergarten, stocktake=stocktake, asset=asset,
                                          expected_quantity=asset.quantity)
    return stocktake


def build_assets(world) -> SimpleNamespace:
    """k1: the own class's room (chairs, tables), another class's room, a kitchen without class, a
    room on the second campus; k2: one class room. Handovers of the own class, another class and
    k2; stocktakes of the k1 kitchen and of k2."""
    k1, k2 = world.k1, world.k2
    own_room = RoomFactory(campus=k1.own_class.campus, name="小一班活动室", school_class=k1.own_class)
    other_room = RoomFactory(campus=k1.other_class.campus, name="中一班活动室", school_class=k1.other_class)
    kitchen = RoomFactory(campus=k1.campuses[0], name="厨房")
    far_room = RoomFactory(campus=k1.campuses[1], name="大一班活动室", school_class=k1.classes[2])
    k2_room = RoomFactory(campus=k2.own_class.campus, name="小一班活动室", school_class=k2.own_class)
    chairs = AssetFactory(room=own_room, name="幼儿椅", quantity=Decimal("30"))
    tables = AssetFactory(room=own_room, name="幼儿桌", quantity=Decimal("8"), unit="张", unit_price=Decimal("320"))
    other_asset = AssetFactory(room=other_room, name="钢琴", quantity=Decimal("1"), unit="台",
                               category=Category.TEACHING, unit_price=Decimal("8800"))
    kitchen_asset = AssetFactory(room=kitchen, name="消毒柜", quantity=Decimal("2"), unit="台",
                                 category=Category.KITCHEN, unit_price=Decimal("2600"))
    far_asset = AssetFactory(room=far_room, name="空调", quantity=Decimal("2"), unit="台", category=Category.APPLIANCE)
    k2_asset = AssetFactory(room=k2_room, name="幼儿椅", quantity=Decimal("25"), label_code="ZC-2025-0001")
    own_handover = make_handover(k1.own_class)
    other_handover = make_handover(k1.other_class)
    k2_handover = make_handover(k2.own_class)
    kitchen_stocktake = make_stocktake(kitchen)
    k2_stocktake = make_stocktake(k2_room)
    return SimpleNamespace(
        own_room=own_room, other_room=other_room, kitchen=kitchen, far_room=far_room, k2_room=k2_room,
        chairs=chairs, tables=tables, other_asset=other_asset, kitchen_asset=kitchen_asset, far_asset=far_asset,
        k2_asset=k2_asset, own_handover=own_handover, other_handover=other_handover, k2_handover=k2_handover,
        kitchen_stocktake=kitchen_stocktake, k2_stocktake=k2_stocktake,
    )
