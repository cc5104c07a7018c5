"""Menu entries and to-do providers of this area (imported from AppConfig.ready)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core.registry import NavItem, Todo, register_nav, register_todos

register_nav(NavItem(gettext_lazy("Fixed assets"), "assets:asset_list", "assets.view", icon="box-seam", order=30))
register_nav(NavItem(gettext_lazy("Class handovers"), "assets:handover_list", "assets.view", icon="pen", order=31))
register_nav(NavItem(gettext_lazy("Asset stocktakes"), "assets:stocktake_list", "assets.stocktake", icon="clipboard-check",
                     order=32))
register_nav(NavItem(gettext_lazy("Rooms"), "assets:room_list", "assets.change", icon="door-open", order=33))


@register_todos
def handover_todos(actor) -> list:
    """The class teacher: their class's handover waiting for a signature (red when past its date).
    The logistics office: classes that have not signed, and signed handovers waiting to be closed.
    One query each, whatever the number of classes."""
    if actor.kindergarten is None:
        return []
    can_sign, can_close = actor.has("assets.handover.sign"), actor.has("assets.handover.close")
    if not (can_sign or can_close):
        return []
    from django.db.models import Count, Min
    from django.urls import reverse
    from django.utils import timezone

    from houqin import policy
    from houqin.assets.models import Handover, HandoverStatus

    today = timezone.localdate()
    slug = actor.kindergarten.slug
    todos: list[Todo] = []
    if can_sign:
        waiting = (policy.scoped(actor, "assets.handover.sign",
                                 Handover.objects.active().filter(status=HandoverStatus.OPEN))
                   .select_related("school_class").order_by("due_on", "pk"))
        for handover in waiting:
            overdue = handover.due_on is not None and handover.due_on < today
            todos.append(Todo(
                title=_("%(cls)s: count the class's assets and sign the handover (%(kind)s)")
                % {"cls": handover.school_class.name, "kind": handover.get_kind_display()},
                url=reverse("assets:handover_detail", kwargs={"kg": slug, "code": handover.code}),
                urgency=3 if overdue else 2, area="assets", due=handover.due_on,
            ))
    if can_close:
        rows = (policy.scoped(actor, "assets.handover.close",
                              Handover.objects.active().filter(status__in=[HandoverStatus.OPEN, HandoverStatus.SIGNED]))
                .values("status").annotate(n=Count("id"), due=Min("due_on")).order_by("status"))
        url = reverse("assets:handover_list", kwargs={"kg": slug})
        for row in rows:
            if row["status"] == HandoverStatus.OPEN:
                overdue = row["due"] is not None and row["due"] < today
                todos.append(Todo(
                    title=_("%(n)d classes have not signed their asset handover yet") % {"n": row["n"]},
                    url=f"{url}?status=open", urgency=3 if overdue else 1, area="assets", due=row["due"],
                ))
            else:
                todos.append(Todo(
                    title=_("%(n)d signed asset handovers are waiting to be closed") % {"n": row["n"]},
                    url=f"{url}?status=signed", urgency=2, area="assets",
                ))
    return todos


@register_todos
def stocktake_todos(actor) -> list:
    """Asset stocktakes still being counted (red after a week)."""
    if actor.kindergarten is None or not actor.has("assets.stocktake"):
        return []
    import datetime as dt

    from django.urls import reverse
    from django.utils import timezone

    from houqin import policy
    from houqin.assets.models import AssetStocktake, StocktakeStatus

    today = timezone.localdate()
    rows = (policy.scoped(actor, "assets.stocktake",
                          AssetStocktake.objects.active().filter(status=StocktakeStatus.OPEN))
            .select_related("room", "campus").order_by("counted_on")[:5])
    return [
        Todo(
            title=_("Asset stocktake of %(place)s is not posted yet") % {"place": s.room or s.campus},
            url=reverse("assets:stocktake_detail", kwargs={"kg": actor.kindergarten.slug, "code": s.code}),
            urgency=3 if s.counted_on < today - dt.timedelta(days=7) else 2, area="assets", due=s.counted_on,
        )
        for s in rows
    ]
