"""Formatting of the storeroom's numbers: quantities as people write them (12, 0.5, 2.25)."""

from decimal import Decimal, InvalidOperation

from django import template

from houqin.core.registry import tab_links

register = template.Library()


@register.filter
def qty(value):
    """A quantity without trailing zeros: Decimal('12.500') → 12.5; thousands not separated."""
    if value is None or value == "":
        return ""
    try:
        text = f"{Decimal(value):f}"
    except (InvalidOperation, TypeError, ValueError):
        return value
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@register.filter
def neg(value):
    """The opposite number (ledger values out of stock are negative; pages show them positive)."""
    if value is None or value == "":
        return value
    return -Decimal(value)


STATUS_CLASSES = {
    "requested": "bg-warning text-dark", "partly_issued": "bg-info text-dark", "issued": "bg-success",
    "rejected": "bg-danger", "cancelled": "bg-secondary", "open": "bg-warning text-dark", "posted": "bg-success",
    "closed": "bg-secondary",
}


@register.filter
def status_class(status):
    return STATUS_CLASSES.get(str(status), "bg-light text-dark")


@register.inclusion_tag("stock/_tabs.html", takes_context=True)
def stock_tabs(context):
    """The storeroom's own links (shown above its pages), for what the actor may do."""
    from django.utils.translation import gettext as _

    return tab_links(context, [
        ("stock:on_hand", "stock.view", _("On hand")),
        ("stock:item_list", "stock.view", _("Items")),
        ("stock:receive", "stock.receive", _("Receive")),
        ("stock:issue", "stock.issue", _("Issue")),
        ("stock:kitchen_issue", "stock.issue_kitchen", _("Kitchen")),
        ("stock:transfer", "stock.issue", _("Transfer")),
        ("stock:requisition_list", "stock.requisition.view", _("Requisitions")),
        ("stock:alerts", "stock.view", _("Alerts")),
        ("stock:stocktake_list", "stock.stocktake.view", _("Stocktakes")),
        ("stock:report", "stock.export", _("Report")),
        ("stock:supplier_list", "stock.view", _("Suppliers")),
        ("stock:settings", "stock.settings", _("Settings")),
    ])
