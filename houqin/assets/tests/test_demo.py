"""The demo's term of fixed assets: rooms, ~300 register lines, handovers signed but two, stocktakes."""

from decimal import Decimal

from houqin.assets.models import (
    Asset,
    AssetState,
    AssetStocktake,
    Handover,
    HandoverLine,
    HandoverStatus,
    Room,
    StocktakeStatus,
)
from houqin.org.models import Kindergarten, Membership, Role, SchoolClass
from houqin.testing import demo_snapshot


@demo_snapshot("assets")
def _snapshot():
    return (
        sorted(Asset.objects.values_list("kindergarten__slug", "label_code", "name", "category", "room__name",
                                         "school_class__name", "quantity", "unit_price", "purchase_date", "state",
                                         "custodian__username"), key=repr),
        sorted(Handover.objects.values_list("kindergarten__slug", "school_class__name", "status", "signed_at",
                                            "closed_at"), key=repr),
        sorted(HandoverLine.objects.values_list("asset__label_code", "expected_quantity", "counted_quantity",
                                                "damaged_quantity", "explanation", "amount_charged"), key=repr),
        sorted(AssetStocktake.objects.values_list("kindergarten__slug", "room__name", "status", "counted_on"), key=repr),
    )


def _check_register(built):
    kg = Kindergarten.objects.get(slug="demo")
    assets = Asset.objects.filter(kindergarten=kg)
    assert 280 <= assets.count() <= 380
    assert built["counts"]["assets"] == Asset.objects.count()
    for school_class in SchoolClass.objects.filter(kindergarten=kg):
        assert Room.objects.filter(school_class=school_class).count() == 1
        names = set(assets.filter(school_class=school_class).values_list("name", flat=True))
        assert {"幼儿椅", "幼儿桌", "空调"} <= names
    categories = set(assets.values_list("category", flat=True))
    assert {"furniture", "teaching", "appliance", "kitchen", "outdoor", "security", "it"} <= categories
    assert not assets.filter(unit_price__isnull=True).exists()
    assert assets.filter(state=AssetState.UNDER_REPAIR).exists() and assets.filter(state=AssetState.SCRAPPED).exists()
    assert all(a.state_reason for a in assets.exclude(state=AssetState.IN_USE))
    assert assets.exclude(photo="").count() >= 3
    assert len(set(assets.values_list("label_code", flat=True))) == assets.count()
    assert Asset.history.filter(kindergarten=kg).count() >= assets.count()
    # class assets are kept by the class teacher
    teacher = Membership.objects.get(user__username="teacher")
    own_class = teacher.classes.get()
    assert set(assets.filter(school_class=own_class).values_list("custodian__username", flat=True)) == {"teacher"}


def _check_handovers_and_stocktakes():
    kg = Kindergarten.objects.get(slug="demo")
    handovers = Handover.objects.filter(kindergarten=kg)
    assert handovers.count() == SchoolClass.objects.filter(kindergarten=kg).count()
    unsigned = handovers.filter(status=HandoverStatus.OPEN)
    assert unsigned.count() == 2
    own_class = Membership.objects.get(user__username="teacher").classes.get()
    assert unsigned.filter(school_class=own_class).exists()  # the demo teacher has one to sign
    assert handovers.filter(status=HandoverStatus.SIGNED).exists()  # and the director some to close
    teachers = {m.classes.get().pk: m.user_id for m in Membership.objects.filter(kindergarten=kg,
                                                                                  role=Role.CLASS_TEACHER)}
    for handover in handovers.exclude(status=HandoverStatus.OPEN):
        assert handover.signed_by_id == teachers[handover.school_class_id]
        assert not handover.lines.filter(counted_quantity__isnull=True).exists()
    # closed differences are in the register
    missing = HandoverLine.objects.filter(handover__kindergarten=kg, handover__status=HandoverStatus.CLOSED,
                                          asset__name="幼儿椅").exclude(explanation="")
    assert missing.exists()
    for line in missing:
        assert line.asset.quantity == line.counted_quantity
    charged = HandoverLine.objects.filter(negligence=True)
    assert all(line.responsible_id and line.amount_charged > Decimal("0") for line in charged)
    stocktakes = AssetStocktake.objects.filter(kindergarten=kg)
    assert set(stocktakes.values_list("status", flat=True)) == {StocktakeStatus.POSTED, StocktakeStatus.OPEN}
    posted = stocktakes.get(status=StocktakeStatus.POSTED)
    for line in posted.lines.all():
        assert line.counted_quantity is not None
        if line.counted_quantity != line.expected_quantity:
            assert line.explanation and line.asset.quantity == line.counted_quantity


def test_the_demo_term_of_assets_is_plausible_and_deterministic(db, demo_built):
    """Built twice (conftest's demo_built: the first rolled back), the same seed gives the same
    register, handovers and stocktakes; the kept one is then checked."""
    first, second = demo_built["snapshots"]["assets"]
    assert first == second and first
    _check_register(demo_built)
    _check_handovers_and_stocktakes()
