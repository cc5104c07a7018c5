"""List pages and list endpoints run a fixed number of queries, whatever the number of rows."""

import pytest

from houqin.assets.models import AssetStocktakeLine, HandoverLine, HandoverStatus
from houqin.assets.tests.factories import AssetFactory, RoomFactory, make_handover, make_stocktake
from houqin.org.models import Role
from houqin.testing import SchoolClassFactory, count_queries, query_count_mismatches

pytestmark = pytest.mark.django_db


def _grow(world, aw):
    """More of everything: classes with rooms and assets (with custodians), their handovers, lines
    on the own class's handover and the kitchen's stocktake, more stocktakes."""
    k1 = world.k1
    campus = k1.campuses[0]
    custodian = k1.users[Role.STOREKEEPER]
    for i in range(3):
        school_class = SchoolClassFactory(campus=campus, name=f"加{i}班")
        room = RoomFactory(campus=campus, name=f"加{i}班活动室", school_class=school_class)
        for j in range(6):
            AssetFactory(room=room, name=f"幼儿物品{i}-{j}", custodian=custodian)
        make_handover(school_class)
        make_stocktake(room)
    for j in range(6):
        asset = AssetFactory(room=aw.own_room, name=f"小一班物品{j}", custodian=custodian)
        HandoverLine.objects.create(kindergarten=k1.kg, handover=aw.own_handover, asset=asset,
                                    expected_quantity=asset.quantity, counted_quantity=asset.quantity - 1,
                                    explanation="少了一个")
        kitchen = AssetFactory(room=aw.kitchen, name=f"厨房物品{j}", school_class=None)
        AssetStocktakeLine.objects.create(kindergarten=k1.kg, stocktake=aw.kitchen_stocktake, asset=kitchen,
                                          expected_quantity=kitchen.quantity)


def _sign_own_handover(world, aw):
    """The own class's handover, counted with a difference on every line and signed: the director's
    page then shows the closing form with a person picker per line."""
    for line in aw.own_handover.lines.all():
        line.counted_quantity = line.expected_quantity - 1
        line.explanation = "少了一个"
        line.save()
    aw.own_handover.status = HandoverStatus.SIGNED
    aw.own_handover.signed_by = world.k1.users[Role.CLASS_TEACHER]
    aw.own_handover.save()


def _urls(aw):
    return [
        ("/k/k1/assets/", Role.PRINCIPAL),
        ("/k/k1/assets/?category=furniture&q=幼儿", Role.DIRECTOR),
        ("/k/k1/assets/rooms/", Role.STOREKEEPER),
        ("/k/k1/assets/handovers/", Role.DIRECTOR),
        ("/k/k1/assets/stocktakes/", Role.STOREKEEPER),
        (f"/k/k1/assets/handovers/{aw.own_handover.code}/", Role.CLASS_TEACHER),
        (f"/k/k1/assets/handovers/{aw.own_handover.code}/", Role.DIRECTOR),
        (f"/k/k1/assets/stocktakes/{aw.kitchen_stocktake.code}/", Role.STOREKEEPER),
        ("/k/k1/assets/export.xlsx", Role.STOREKEEPER),
        ("/k/k1/", Role.DIRECTOR),
        ("/k/k1/", Role.CLASS_TEACHER),
        ("/api/k/k1/assets", Role.PRINCIPAL),
        ("/api/k/k1/asset-rooms", Role.PRINCIPAL),
        ("/api/k/k1/asset-handovers", Role.PRINCIPAL),
        (f"/api/k/k1/asset-handovers/{aw.own_handover.code}", Role.PRINCIPAL),
        ("/api/k/k1/asset-stocktakes", Role.PRINCIPAL),
        (f"/api/k/k1/asset-stocktakes/{aw.kitchen_stocktake.code}", Role.PRINCIPAL),
        ("/api/k/k1/asset-register/export.xlsx", Role.DIRECTOR),
    ]


def test_query_count_does_not_grow_with_rows(world, aw, login):
    """Every (role, page) of _urls, counted on one world grown from few rows to many (grown once for
    all of them)."""
    pages = [(role, url) for url, role in _urls(aw)]
    clients = {role: login(world.k1.users[role]) for role, _url in pages}
    counted, wrong = query_count_mismatches(pages, lambda page: clients[page[0]], lambda: _grow(world, aw), budget=16)
    assert wrong == [], "\n".join(wrong)
    assert len(counted) == len(pages) == 18


def test_the_closing_form_does_not_query_per_line(world, aw, login):
    _sign_own_handover(world, aw)
    client = login(world.k1.users[Role.DIRECTOR])
    url = f"/k/k1/assets/handovers/{aw.own_handover.code}/"
    client.get(url)
    small = count_queries(client, url)
    assert 'data-testid="handover-close-form"' in client.get(url).content.decode()
    _grow(world, aw)
    _sign_own_handover(world, aw)
    assert count_queries(client, url) == small


def test_labels_pdf_query_count_is_fixed(world, aw, login):
    client = login(world.k1.users[Role.STOREKEEPER])
    url = "/k/k1/assets/labels.pdf"
    client.get(url)
    small = count_queries(client, url)
    _grow(world, aw)
    assert count_queries(client, url) == small
