"""Small template helpers of the finance pages: status badges."""

from django import template
from django.utils.html import format_html

register = template.Library()

STATUS_CLASSES = {
    "draft": "bg-secondary",
    "submitted": "bg-warning text-dark",
    "director_approved": "bg-warning text-dark",
    "approved": "bg-primary",
    "ordered": "bg-info text-dark",
    "in_repair": "bg-info text-dark",
    "done": "bg-success",
    "rejected": "bg-danger",
    "cancelled": "bg-dark",
    "handler_signed": "bg-warning text-dark",
    "acceptor_signed": "bg-warning text-dark",
    "principal_signed": "bg-primary",
    "paid": "bg-success",
    "voided": "bg-danger",
}


@register.simple_tag
def status_badge(obj):
    """A coloured badge with the record's status (voided records say so, whatever their status)."""
    if getattr(obj, "voided_at", None) is not None and getattr(obj, "status", "") != "voided":
        from django.utils.translation import gettext

        return format_html('<span class="badge bg-danger" data-status="voided">{}</span>', gettext("Voided"))
    status = getattr(obj, "status", "")
    return format_html('<span class="badge {}" data-status="{}">{}</span>', STATUS_CLASSES.get(status, "bg-secondary"),
                       status, obj.get_status_display())
