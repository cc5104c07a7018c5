"""Reads of fixed assets, always through the actor's scope. Out of scope looks like missing (404)."""

from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, Q, Value, When

from houqin import policy
from houqin.assets.models import (
    Asset,
    AssetState,
    AssetStocktake,
    Category,
    Handover,
    HandoverLine,
    Room,
    StocktakeStatus,
)
from houqin.org.models import Campus, SchoolClass

def _rank(field: str):
    """The categories in their declared order (furniture first), for sorting."""
    return Case(*[When(**{field: value}, then=Value(i)) for i, value in enumerate(Category.values)],
                default=Value(len(Category.values)), output_field=IntegerField())


CATEGORY_RANK = _rank("category")
STATE_CURRENT = "current"  # in use or under repair: the register as it stands
STATE_ALL = "all"


def asset_list(*, actor, room=None, school_class=None, category: str = "", state: str = STATE_CURRENT,
               search: str = "", capability: str = "assets.view"):
    qs = Asset.objects.active().select_related("campus", "room", "room__school_class", "school_class", "custodian")
    if state == STATE_CURRENT or not state:
        qs = qs.exclude(state=AssetState.SCRAPPED)
    elif state != STATE_ALL:
        qs = qs.filter(state=state)
    if room is not None:
        qs = qs.filter(room=room)
    if school_class is not None:
        qs = qs.filter(school_class=school_class)
    if category:
        qs = qs.filter(category=category)
    search = (search or "").strip()
    if search:
        qs = qs.filter(Q(name__contains=search) | Q(label_code__icontains=search) | Q(supplier_name__contains=search))
    return policy.scoped(actor, capability, qs).order_by(
        "campus__name", F("school_class__sort_order").asc(nulls_last=True), "room__name", CATEGORY_RANK, "label_code")


def get_asset(*, actor, code, capability: str = "assets.view") -> Asset:
    qs = Asset.objects.select_related("campus", "room", "room__school_class", "school_class", "custodian",
                                      "state_changed_by", "voided_by")
    return policy.get_or_404(actor, capability, qs, code=code)


def get_asset_by_label(*, actor, label_code: str, capability: str = "assets.view") -> Asset:
    return policy.get_or_404(actor, capability, Asset.objects.active(), label_code=(label_code or "").strip().upper())


def asset_totals(assets) -> dict:
    """Lines and value (Σ quantity × unit price of the rows with a price) of a list of assets, summed
    exactly in Python (SQLite would multiply decimals as floats). One query of two columns."""
    lines, value = 0, Decimal("0")
    for quantity, unit_price in assets.order_by().values_list("quantity", "unit_price"):
        lines += 1
        if unit_price is not None:
            value += quantity * unit_price
    return {"lines": lines, "value": value}


def room_list(*, actor, capability: str = "assets.view", include_inactive: bool = False):
    qs = Room.objects.select_related("campus", "school_class").annotate(
        asset_count=Count("assets", filter=Q(assets__voided_at__isnull=True) & ~Q(assets__state=AssetState.SCRAPPED)))
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return policy.scoped(actor, capability, qs).order_by("campus__name", "name")


def get_room(*, actor, code, capability: str = "assets.view") -> Room:
    return policy.get_or_404(actor, capability, Room.objects.select_related("campus", "school_class"), code=code)


def class_choices(*, actor, capability: str = "assets.view"):
    return policy.scoped(actor, capability, SchoolClass.objects.filter(is_active=True)).select_related(
        "campus").order_by("campus__name", "sort_order", "name")


def campus_choices(*, actor, capability: str):
    """The campuses the actor's kindergarten-wide grant reaches (all, or their own campus)."""
    campuses = Campus.objects.filter(kindergarten=actor.kindergarten).order_by("name")
    allowed = {m.campus_id for m, s in actor.grants(capability) if s == policy.Scope.KINDERGARTEN}
    if not allowed:
        return campuses.none()
    if None in allowed:
        return campuses
    return campuses.filter(pk__in=allowed)


def handover_list(*, actor, school_year=None, term: str = "", kind: str = "", status: str = "",
                  capability: str = "assets.view"):
    qs = Handover.objects.active().select_related("school_class", "school_class__campus", "signed_by").annotate(
        line_count=Count("lines", filter=Q(lines__voided_at__isnull=True)),
        counted_count=Count("lines", filter=Q(lines__voided_at__isnull=True, lines__counted_quantity__isnull=False)),
    )
    if school_year:
        qs = qs.filter(school_year=school_year)
    if term:
        qs = qs.filter(term=term)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return policy.scoped(actor, capability, qs).order_by("-school_year", "-term", "kind", "school_class__campus__name",
                                                         "school_class__sort_order")


def get_handover(*, actor, code, capability: str = "assets.view") -> Handover:
    qs = Handover.objects.select_related("school_class", "school_class__campus", "signed_by", "closed_by",
                                         "voided_by")
    return policy.get_or_404(actor, capability, qs, code=code)


def handover_lines(handover):
    """The lines in the order a teacher counts a room: furniture, toys, appliances…, then by name."""
    return (HandoverLine.objects.active().filter(handover=handover)
            .select_related("asset", "asset__room", "responsible")
            .order_by(_rank("asset__category"), "asset__name", "asset__label_code"))


def stocktake_list(*, actor, status: str = "", capability: str = "assets.view"):
    qs = AssetStocktake.objects.active().select_related("campus", "room", "posted_by").annotate(
        line_count=Count("lines", filter=Q(lines__voided_at__isnull=True)),
        counted_count=Count("lines", filter=Q(lines__voided_at__isnull=True, lines__counted_quantity__isnull=False)),
    )
    if status:
        qs = qs.filter(status=status)
    return policy.scoped(actor, capability, qs).order_by("-counted_on", "-id")


def get_stocktake(*, actor, code, capability: str = "assets.view") -> AssetStocktake:
    qs = AssetStocktake.objects.select_related("campus", "room", "posted_by", "voided_by")
    return policy.get_or_404(actor, capability, qs, code=code)


def stocktake_lines(stocktake):
    return (stocktake.lines.active().select_related("asset", "asset__room", "counted_by")
            .order_by("asset__room__name", _rank("asset__category"), "asset__name", "asset__label_code"))


def open_stocktakes(*, actor):
    return stocktake_list(actor=actor, status=StocktakeStatus.OPEN, capability="assets.stocktake")
