from django.conf import settings
from django.urls import reverse

from houqin.core.registry import nav_for, nav_sections


def navigation(request):
    actor = getattr(request, "actor", None)
    items = nav_for(actor)
    counts_url = ""
    if items and actor.has("home.view"):
        counts_url = reverse("todo_counts", kwargs={"kg": actor.kindergarten.slug})
    return {
        "actor": actor,
        "nav_items": items,
        "nav_sections": nav_sections(items),
        "todo_counts_url": counts_url,
        "site_name": settings.HOUQIN_SITE_NAME,
    }
