"""Menu entries and to-dos of notices (imported from AppConfig.ready)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.utils.translation import gettext_lazy

from houqin.core.registry import Figure, NavItem, Todo, register_figures, register_nav, register_todos

register_nav(NavItem(gettext_lazy("Notices"), "notices:list", "notices.view", icon="envelope", order=90))

URGENT_KINDS = ("disease", "safety")


@register_todos
def notice_todos(actor) -> list[Todo]:
    """Unread notices addressed to the actor: one to-do, amber when a disease or safety notice is
    among them. Two queries."""
    if actor.kindergarten is None or not actor.has("notices.view"):
        return []
    from houqin.notices import selectors

    unread = list(selectors.unread_notices(actor=actor).exclude(created_by_id=actor.user.pk)
                  .values_list("kind", "title")[:50])
    if not unread:
        return []
    urgent = any(kind in URGENT_KINDS for kind, _title in unread)
    return [Todo(
        title=_("%(n)d unread notices") % {"n": len(unread)},
        url=reverse("notices:list", kwargs={"kg": actor.kindergarten.slug}), urgency=2 if urgent else 1,
        detail="、".join(t for _k, t in unread[:3]), area="notices",
    )]


NOTICE_FIGURES_KEYS = (  # every key notice_figures gives (register_figures)
    "notices.parent_notices",
    "notices.safety_letters",
    "notices.health_letters",
)


@register_figures(keys=NOTICE_FIGURES_KEYS)
def notice_figures(kindergartens, start, end) -> dict:
    """Notices to parents published in the term, by kind, and the share of them read: two queries."""
    from django.db.models import Count, Q

    from houqin.notices.models import Audience, Notice, NoticeKind, NoticeReceipt

    ids = [k.pk for k in kindergartens]
    published = Q(published_at__date__gte=start, published_at__date__lte=end, voided_at__isnull=True,
                  audience=Audience.PARENTS)
    counts = {row.pop("kindergarten_id"): row for row in Notice.objects.filter(published, kindergarten_id__in=ids)
              .values("kindergarten_id").annotate(
                  n=Count("pk"), safety=Count("pk", filter=Q(kind=NoticeKind.SAFETY)),
                  disease=Count("pk", filter=Q(kind__in=[NoticeKind.DISEASE, NoticeKind.VACCINATION])))}
    reads = dict(NoticeReceipt.objects.filter(notice__kindergarten_id__in=ids, notice__published_at__date__gte=start,
                                              notice__published_at__date__lte=end, notice__voided_at__isnull=True,
                                              notice__audience=Audience.PARENTS)
                 .values("notice__kindergarten_id").annotate(n=Count("pk")).values_list("notice__kindergarten_id", "n"))
    result = {}
    for k in kindergartens:
        c = counts.get(k.pk, {})
        url = reverse("notices:list", kwargs={"kg": k.slug})
        result[k.pk] = [
            Figure("notices.parent_notices", _("notices to parents"), c.get("n", 0), pgettext("unit", "notices"), "safety", url,
                   detail=_("%(n)d read receipts") % {"n": reads.get(k.pk, 0)}),
            Figure("notices.safety_letters", _("safety letters to parents"), c.get("safety", 0), pgettext("unit", "notices"), "safety",
                   url + "?kind=safety"),
            Figure("notices.health_letters", _("disease and vaccination notices to parents"), c.get("disease", 0),
                   pgettext("unit", "notices"), "health", url + "?kind=disease"),
        ]
    return result


register_nav(NavItem(gettext_lazy("My messages"), "notices:messages", "notices.messages", icon="bell", order=89))
register_nav(NavItem(gettext_lazy("Outbox"), "notices:outbox", "notices.outbox.view", icon="send", order=91))


@register_todos
def message_todos(actor) -> list[Todo]:
    """Unread alerts and reminders in the app (notices have their own to-do above): red when an
    urgent alert is among them. One query."""
    if actor.kindergarten is None or not actor.has("notices.messages"):
        return []
    from houqin.notices.models import Message, MessageKind

    unread = list(Message.objects.filter(kindergarten=actor.kindergarten, recipient=actor.user, read_at__isnull=True)
                  .exclude(kind=MessageKind.NOTICE).order_by("-urgent", "-created_at")
                  .values_list("urgent", "title")[:50])
    if not unread:
        return []
    return [Todo(
        title=_("%(n)d new messages") % {"n": len(unread)},
        url=reverse("notices:messages", kwargs={"kg": actor.kindergarten.slug}), urgency=3 if unread[0][0] else 2,
        detail="、".join(t for _u, t in unread[:3]), area="notices",
    )]
