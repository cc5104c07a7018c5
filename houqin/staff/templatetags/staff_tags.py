"""The staff area's own links above its pages, and small formatting filters."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.inclusion_tag("staff/_tabs.html", takes_context=True)
def staff_tabs(context):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    actor = context.get("actor")
    request = context.get("request")
    if actor is None or actor.kindergarten is None:
        return {"links": []}
    kg = actor.kindergarten.slug
    entries = [
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
    ]
    current = request.resolver_match.view_name if request is not None and request.resolver_match else ""
    links = [{"url": reverse(name, kwargs={"kg": kg}), "label": label, "active": name == current}
             for name, cap, label in entries if actor.has(cap)]
    return {"links": links if len(links) > 1 else []}


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
