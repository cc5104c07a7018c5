"""Where purchasing meets the storeroom (houqin.stock) and the asset register (houqin.assets).

The storeroom links to `finance:purchase_request_from_stock?items=<code>,<code>` with the items under
their minimum level; the asset register links to `finance:repair_request_create?asset=<code>`. These
helpers read those areas through their own selectors (and so their own policy), and answer "nothing"
for a code that is not found or not in the actor's scope.
"""

from __future__ import annotations

import uuid
from collections import Counter
from decimal import ROUND_CEILING, Decimal

from django.http import Http404

# The storeroom's item categories → the usual budget category a purchase of them is booked on.
STOCK_TO_BUDGET = {
    "office": "办公用品", "paper": "办公用品", "teaching": "保教材料", "cleaning": "卫生保健",
    "disinfectant": "卫生保健", "medical": "卫生保健", "maintenance": "维修", "kitchen": "其他", "other": "其他",
}


def _uuid(code) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(code))
    except (TypeError, ValueError):
        return None


def stock_item_for_code(actor, code):
    """The storeroom item with this code, if the actor may see the storeroom; else None."""
    from houqin.stock import selectors as stock_selectors

    code = _uuid(code)
    if code is None or not actor.has("stock.view"):
        return None
    try:
        return stock_selectors.get_item(actor=actor, code=code)
    except Http404:
        return None


def suggested_quantity(minimum: Decimal, on_hand: Decimal) -> Decimal:
    """Enough to bring the stock back to twice its minimum level, in whole units (at least one)."""
    wanted = max(Decimal(minimum) * 2 - Decimal(on_hand), Decimal("1"))
    return wanted.to_integral_value(rounding=ROUND_CEILING)


def low_stock_lines(actor, codes: list[str], *, food_in_budget: bool = False) -> tuple[list[dict], list[str], str]:
    """Purchase lines prefilled from the storeroom's items named in `codes`: those under their minimum
    level get enough to reach twice the minimum, others (stock about to expire) one minimum level; the
    last unit cost paid is the estimated price. Returns (lines, names of food items left out because
    food is paid from the meal account, the budget category most of them belong to)."""
    from houqin.stock import selectors as stock_selectors
    from houqin.stock.models import Batch

    from houqin import policy
    from houqin.stock.models import Item

    wanted = [c for c in dict.fromkeys(_uuid(code) for code in codes) if c is not None]
    if not wanted or not actor.has("stock.view"):
        return [], [], ""
    low = {item.code: item for item in stock_selectors.low_stock_items(actor=actor) if item.code in wanted}
    # Items named that are not low (e.g. replacing stock about to expire): one of the minimum level.
    others = list(policy.scoped(actor, "stock.view",
                                Item.objects.filter(code__in=set(wanted) - set(low), is_active=True)))
    for item in others:
        item.on_hand = max(item.minimum_level, Decimal("0"))
    items = sorted([*low.values(), *others], key=lambda item: wanted.index(item.code))
    food = [item.name for item in items if item.is_food and not food_in_budget]
    items = [item for item in items if not item.is_food or food_in_budget]
    last_cost: dict[int, Decimal] = {}
    for item_id, cost in (Batch.objects.filter(item__in=items, source__isnull=True)
                          .order_by("item_id", "-received_at", "-pk").values_list("item_id", "unit_cost")):
        last_cost.setdefault(item_id, cost)
    lines = []
    for item in items:
        price = last_cost.get(item.pk)
        lines.append({
            "description": f"{item.name}（{item.spec}）" if item.spec else item.name,
            "quantity": suggested_quantity(item.minimum_level, item.on_hand),
            "unit": item.unit,
            "unit_price": price.quantize(Decimal("0.01")) if price is not None else None,
            "stock_item": str(item.code),
        })
    common = Counter(STOCK_TO_BUDGET.get(item.category, "其他") for item in items).most_common(1)
    return lines, food, common[0][0] if common else ""


def asset_for_code(actor, code) -> dict | None:
    """The asset with this code as {"object", "name", "location", "label_code"}, if the actor may see it
    in the asset register; else None."""
    from houqin.assets import selectors as asset_selectors

    code = _uuid(code)
    if code is None or not actor.has("assets.view"):
        return None
    try:
        asset = asset_selectors.get_asset(actor=actor, code=code)
    except Http404:
        return None
    place = " · ".join(p for p in (asset.campus.name if asset.campus_id else "", asset.location) if p)
    return {"object": asset, "name": asset.name, "location": place, "label_code": asset.label_code}
