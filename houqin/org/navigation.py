"""The organisation's menu entries and to-dos."""

from django.utils.translation import gettext_lazy as _

from houqin.core.registry import NavItem, Todo, register_nav, register_todos

register_nav(NavItem(_("Home"), "home", "home.view", icon="house", order=0))
register_nav(NavItem(_("Classes"), "org:class_list", "org.class.view", icon="grid-3x3-gap", order=10))
register_nav(NavItem(_("Children"), "org:child_list", "org.child.view", icon="emoji-smile", order=11))
register_nav(NavItem(_("Staff"), "org:staff_list", "org.staff.view", icon="people", order=90))
register_nav(NavItem(_("Rosters"), "org:roster", "org.roster.import", icon="arrow-down-up", order=91))
register_nav(NavItem(_("Audit log"), "org:audit_log", "core.audit.view", icon="journal-text", order=99))


@register_todos
def organisation_todos(actor) -> list[Todo]:
    """Missing contacts: enrolled children with no guardian who may collect them, per class."""
    if not actor.has("org.child.change"):
        return []
    from django.db.models import Count, Exists, OuterRef
    from django.urls import reverse

    from houqin import policy
    from houqin.org.models import Child, Guardian

    may_collect = Guardian.objects.filter(child=OuterRef("pk"), voided_at__isnull=True, can_pick_up=True)
    rows = (
        policy.scoped(actor, "org.child.change", Child.objects.active().filter(left_on__isnull=True))
        .filter(~Exists(may_collect))
        .values("school_class__code", "school_class__name", "school_class__sort_order")
        .annotate(n=Count("id"))
        .order_by("school_class__sort_order")
    )
    slug = actor.kindergarten.slug
    return [
        Todo(
            title=_("%(cls)s: %(n)d children have no guardian who may collect them")
            % {"cls": row["school_class__name"], "n": row["n"]},
            url=reverse("org:class_detail", kwargs={"kg": slug, "code": row["school_class__code"]}),
            urgency=2,
            area="org",
        )
        for row in rows
    ]
