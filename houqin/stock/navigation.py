"""Menu entries and to-do providers of the storeroom (imported from AppConfig.ready)."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core.registry import NavItem, Todo, register_nav, register_todos

register_nav(NavItem(gettext_lazy("Stock"), "stock:on_hand", "stock.view", icon="boxes", order=30))
register_nav(NavItem(gettext_lazy("Receive goods"), "stock:receive", "stock.receive", icon="box-arrow-in-down", order=31))
register_nav(NavItem(gettext_lazy("Deliveries expected today"), "canteen:deliveries", "stock.receive", icon="truck",
                     order=32))
register_nav(NavItem(gettext_lazy("Food to the kitchen"), "stock:kitchen_issue", "stock.issue_kitchen", icon="box-arrow-up-right", order=32))
register_nav(NavItem(gettext_lazy("Requisitions"), "stock:requisition_list", "stock.requisition.view", icon="list-ul", order=33))
register_nav(NavItem(gettext_lazy("My requisitions"), "stock:my_requisitions", "stock.requisition.create", icon="envelope-paper",
                     order=34))
register_nav(NavItem(gettext_lazy("Stocktakes"), "stock:stocktake_list", "stock.stocktake.view", icon="clipboard-check", order=36))
register_nav(NavItem(gettext_lazy("Stock report"), "stock:report", "stock.export", icon="file-earmark-spreadsheet", order=37))


def purchase_request_url(kindergarten, items) -> str | None:
    """The finance area's "purchase request from stock" page for these items, or None while that
    page does not exist (the finance area builds it)."""
    codes = ",".join(str(item.code) for item in items)
    if not codes:
        return None
    try:
        return reverse("finance:purchase_request_from_stock", kwargs={"kg": kindergarten.slug}) + f"?items={codes}"
    except NoReverseMatch:
        return None


# Who gets the storeroom's to-dos: the storekeeper and the logistics director (those who receive goods).
TODO_CAPABILITY = "stock.receive"


@register_todos
def stock_todos(actor) -> list[Todo]:
    """Low stock (one to-do, linked to a purchase request for those items when the finance area
    offers one), expired batches (red) and batches expiring within the kindergarten's warning days
    (amber). A fixed number of queries."""
    if actor.kindergarten is None or not actor.has(TODO_CAPABILITY):
        return []
    from django.utils import timezone

    from houqin.stock import selectors

    slug = actor.kindergarten.slug
    alerts_url = reverse("stock:alerts", kwargs={"kg": slug})
    todos = []
    if actor.has("stock.requisition.issue"):
        waiting = selectors.open_requisition_count(actor=actor)
        if waiting:
            todos.append(Todo(
                title=_("%(n)d requisitions are waiting to be issued") % {"n": waiting},
                url=reverse("stock:requisition_list", kwargs={"kg": slug}), urgency=2, area="stock",
            ))
    low = selectors.low_stock_items(actor=actor)
    if low:
        names = "、".join(item.name for item in low[:5]) + ("…" if len(low) > 5 else "")
        purchase = purchase_request_url(actor.kindergarten, low)
        todos.append(Todo(
            title=_("%(n)d items are under their minimum level") % {"n": len(low)},
            url=purchase or alerts_url + "#low", urgency=2, detail=names, area="stock",
            extra={"alerts_url": alerts_url, "purchase_url": purchase, "items": [str(i.code) for i in low]},
        ))
    today = timezone.localdate()
    days = selectors.expiry_warning_days(actor.kindergarten)
    batches = list(selectors.expiring_batches(actor=actor, within_days=days))
    expired = [b for b in batches if b.is_expired_on(today)]
    soon = [b for b in batches if not b.is_expired_on(today)]
    if expired:
        todos.append(Todo(
            title=_("%(n)d batches have expired: dispose of them") % {"n": len(expired)},
            url=alerts_url + "#expiring", urgency=3, area="stock", due=expired[0].expiry_date,
            detail="、".join(sorted({b.item.name for b in expired}))[:80],
        ))
    if soon:
        todos.append(Todo(
            title=_("%(n)d batches expire within %(days)d days") % {"n": len(soon), "days": days},
            url=alerts_url + "#expiring", urgency=2, area="stock", due=soon[0].expiry_date,
            detail="、".join(sorted({b.item.name for b in soon}))[:80],
            extra={"purchase_url": purchase_request_url(actor.kindergarten, list({b.item_id: b.item for b in soon}.values()))},
        ))
    return todos
