from django.urls import reverse

from houqin.core.roles import Role


def destinations_for(user) -> list[dict]:
    """The kindergartens and districts a user can enter, with their home addresses."""
    out, seen = [], set()
    memberships = user.memberships.filter(is_active=True).select_related("kindergarten", "district")
    for m in memberships.order_by("kindergarten__name", "district__name"):
        if m.role == Role.SUPERVISOR:
            key = ("d", m.district.slug)
            url = reverse("org:district", kwargs={"district": m.district.slug})
            name = m.district.name
        else:
            if not m.kindergarten.is_active:
                continue
            key = ("k", m.kindergarten.slug)
            url = reverse("home", kwargs={"kg": m.kindergarten.slug})
            name = m.kindergarten.name
        if key not in seen:
            seen.add(key)
            out.append({"name": name, "url": url, "roles": [m.get_role_display()]})
        else:
            next(d for d in out if d["url"] == url)["roles"].append(m.get_role_display())
    return out
