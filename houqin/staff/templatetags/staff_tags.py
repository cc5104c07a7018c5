"""The staff area's own links above its pages, and small formatting filters."""

from decimal import Decimal, InvalidOperation

from django import template

from houqin.core.registry import tab_links

register = template.Library()


@register.inclusion_tag("staff/_tabs.html", takes_context=True)
def staff_tabs(context):
    from django.utils.translation import gettext as _

    return tab_links(context, [
        ("staff:home", "staff.view", _("Posts")),
        ("staff:assessment_list", "staff.assessment.view", _("Assessment")),
        ("staff:awards", "staff.view", _("Awards")),
        ("staff:certificate_list", "staff.certificate.view", _("Health certificates")),
        ("staff:training_list", "staff.training.view", _("Trainings")),
        ("staff:meeting_list", "staff.meeting.view", _("Meetings")),
        ("staff:procedure", "staff.procedure.view", _("Daily procedure")),
        ("staff:rate", "staff.rating.rate", _("Rate")),
        ("staff:me", "staff.self", _("My record")),
        ("staff:settings", "staff.manage", _("Rules")),
    ])


@register.filter
def pts(value):
    """Points without trailing zeros: Decimal('5.00') → 5, 2.50 → 2.5."""
    if value is None or value == "":
        return ""
    try:
        text = f"{Decimal(value):f}"
    except (InvalidOperation, TypeError, ValueError):
        return value
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


@register.filter
def stars(n):
    try:
        n = int(n)
    except (TypeError, ValueError):
        return ""
    return "★" * n + "☆" * (5 - n)


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
