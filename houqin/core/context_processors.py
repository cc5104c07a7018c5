from django.conf import settings

from houqin.core.registry import nav_for


def navigation(request):
    actor = getattr(request, "actor", None)
    return {
        "actor": actor,
        "nav_items": nav_for(actor),
        "site_name": settings.HOUQIN_SITE_NAME,
    }
