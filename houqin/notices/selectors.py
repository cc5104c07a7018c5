"""Reading notices: who sees which, and who has read them. Always scoped through the policy."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404

from houqin import policy
from houqin.notices.models import Audience, Notice, NoticeKind, NoticeReceipt
from houqin.org.models import Child, Guardian, Role, SchoolClass


def own_children(actor):
    """The active children the actor is a guardian of, in the actor's kindergarten."""
    return Child.objects.active().filter(
        kindergarten=actor.kindergarten,
        pk__in=Guardian.objects.filter(user=actor.user, kindergarten=actor.kindergarten,
                                       voided_at__isnull=True).values("child_id"),
    )


# Notices that carry children's health data: staff read them only through the health capability of
# their kind, within its scope (the parents they are addressed to read them as addressees).
HEALTH_KINDS = {NoticeKind.VACCINATION: "health.vaccination.view", NoticeKind.DISEASE: "health.disease.view"}


def _names_anyone_q() -> Q:
    return Q(Exists(Notice.classes.through.objects.filter(notice_id=OuterRef("pk")))) | Q(
        Exists(Notice.children.through.objects.filter(notice_id=OuterRef("pk"))))


def _addressed_to_parent_q(actor) -> Q:
    """Parents' notices naming nobody in particular, their child's class, or their child."""
    children = own_children(actor)
    class_ids = children.values("school_class_id")
    through_classes = Notice.classes.through
    through_children = Notice.children.through
    mine = Q(Exists(through_classes.objects.filter(notice_id=OuterRef("pk"), schoolclass_id__in=class_ids))) | Q(
        Exists(through_children.objects.filter(notice_id=OuterRef("pk"), child_id__in=children.values("pk"))))
    return Q(audience=Audience.PARENTS, published_at__isnull=False, voided_at__isnull=True) & (~_names_anyone_q() | mine)


def _reach_q(actor, capability: str, *, unnamed: bool) -> Q | None:
    """Parents' notices within the actor's scope of `capability`: naming a class in it or a child in
    it (and, when `unnamed`, naming nobody in particular); None when the actor lacks the capability."""
    if not actor.has(capability):
        return None
    classes = policy.scoped(actor, capability, SchoolClass.objects.all()).values("pk")
    children = policy.scoped(actor, capability, Child.objects.all()).values("pk")
    q = Q(Exists(Notice.classes.through.objects.filter(notice_id=OuterRef("pk"), schoolclass_id__in=classes))) | Q(
        Exists(Notice.children.through.objects.filter(notice_id=OuterRef("pk"), child_id__in=children)))
    return q | ~_names_anyone_q() if unnamed else q


def _staff_q(actor, *, include_drafts: bool) -> Q:
    """What a staff member reads: notices to the staff; parents' notices naming nobody; parents'
    notices naming classes or children within their scope (notices.view_addressed); notices carrying
    health data only within the health capability of their kind. Drafts only for their author and,
    within their scope, for the publishers. Authors always read what they wrote."""
    nothing = Q(pk__in=[])
    general = ~Q(kind__in=list(HEALTH_KINDS))
    addressed = _reach_q(actor, "notices.view_addressed", unnamed=False)
    readable = Q(audience=Audience.STAFF) & general | Q(audience=Audience.PARENTS) & general & (
        ~_names_anyone_q() | (addressed if addressed is not None else nothing))
    for kind, capability in HEALTH_KINDS.items():
        reach = _reach_q(actor, capability, unnamed=True)
        if reach is not None:
            readable |= Q(kind=kind) & (Q(audience=Audience.STAFF) | Q(audience=Audience.PARENTS) & reach)
    published = Q(published_at__isnull=False)
    if include_drafts:
        writers = _reach_q(actor, "notices.publish",
                           unnamed=actor.widest_scope("notices.publish") == policy.Scope.KINDERGARTEN)
        if writers is not None:
            published |= writers & Q(audience=Audience.PARENTS) | (
                Q(audience=Audience.STAFF) if actor.widest_scope("notices.publish") == policy.Scope.KINDERGARTEN
                else nothing)
    mine = Q(created_by_id=actor.user.pk) if include_drafts else Q(created_by_id=actor.user.pk, published_at__isnull=False)
    return readable & published | mine


def _readable(*, actor, kind: str = "", include_drafts: bool = False, include_voided: bool = False):
    """The notices the actor may read (notice_list's rows, without its annotations)."""
    qs = policy.scoped(actor, "notices.view", Notice.objects.all())
    staff_roles = actor.roles - {Role.PARENT}
    q = _addressed_to_parent_q(actor) if Role.PARENT in actor.roles else Q(pk__in=[])
    if staff_roles:
        staff = _staff_q(actor, include_drafts=include_drafts)
        if not include_voided:
            staff &= Q(voided_at__isnull=True)
        q |= staff
    qs = qs.filter(q)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def notice_list(*, actor, kind: str = "", include_drafts: bool = False, include_voided: bool = False):
    """The notices the actor may read, newest first, with `is_read` (for the actor) and, for those
    who may see receipts, `read_count`. A fixed number of queries.

    Parents read the published notices addressed to them; staff what `_staff_q` says (an actor with
    both kinds of membership, the union)."""
    qs = _readable(actor=actor, kind=kind, include_drafts=include_drafts, include_voided=include_voided)
    qs = qs.annotate(
        is_read=Exists(NoticeReceipt.objects.filter(notice_id=OuterRef("pk"), user_id=actor.user.pk)),
        read_count=Count("receipts", distinct=True),
    )
    return qs.select_related("created_by").order_by("-published_at", "-pk")


def unread_notices(*, actor):
    """notice_list(actor=actor) of the notices the actor has not read, newest first, without the read
    counts (no grouping): the home page's to-do and the unread count."""
    return (_readable(actor=actor)
            .exclude(Exists(NoticeReceipt.objects.filter(notice_id=OuterRef("pk"), user_id=actor.user.pk)))
            .order_by("-published_at", "-pk"))


def get_notice(*, actor, code) -> Notice:
    notice = notice_list(actor=actor, include_drafts=True, include_voided=True).filter(code=code).first()
    if notice is None:
        raise Http404
    return notice


def unread_count(*, actor) -> int:
    return unread_notices(actor=actor).count()


def addressed_users(notice: Notice) -> list:
    """The people a notice is for: the guardians with a login of the children it reaches (parents),
    or the active staff (staff). Each user once, with the children they are reached through."""
    from django.contrib.auth import get_user_model

    from houqin.org.models import Membership, STAFF_ROLES

    User = get_user_model()
    if notice.audience == Audience.STAFF:
        ids = Membership.objects.filter(kindergarten_id=notice.kindergarten_id, is_active=True,
                                        role__in=STAFF_ROLES).values("user_id")
        return [{"user": u, "children": []} for u in User.objects.filter(pk__in=ids, is_active=True).order_by("full_name")]
    children = Child.objects.active().filter(kindergarten_id=notice.kindergarten_id, left_on__isnull=True)
    class_ids = list(notice.classes.values_list("pk", flat=True))
    child_ids = list(notice.children.values_list("pk", flat=True))
    if class_ids or child_ids:
        children = children.filter(Q(school_class_id__in=class_ids) | Q(pk__in=child_ids))
    guardians = (Guardian.objects.filter(child__in=children, user__isnull=False, voided_at__isnull=True,
                                         user__is_active=True)
                 .select_related("user", "child__school_class").order_by("child__school_class__sort_order", "pk"))
    by_user: dict[int, dict] = {}
    for g in guardians:
        entry = by_user.setdefault(g.user_id, {"user": g.user, "children": []})
        entry["children"].append(g.child)
    return list(by_user.values())


def receipts(*, actor, notice: Notice) -> dict:
    """Who read the notice and when, and who has not yet (class teachers: their classes' families).
    Unread first, so that the teacher sees whom to remind."""
    people = addressed_users(notice)
    if actor.widest_scope("notices.receipts.view") == policy.Scope.CLASS:
        own = set(policy.scoped(actor, "notices.receipts.view", SchoolClass.objects.all()).values_list("pk", flat=True))
        people = [p for p in people if any(c.school_class_id in own for c in p["children"])]
    read = {r.user_id: r.read_at for r in NoticeReceipt.objects.filter(notice=notice)}
    rows = [{**p, "read_at": read.get(p["user"].pk)} for p in people]
    rows.sort(key=lambda r: r["read_at"] is not None)
    return {"rows": rows, "read": sum(1 for r in rows if r["read_at"]), "total": len(rows)}


# --- the outbox: one's own messages, the director's view of deliveries and job runs ---------------


def my_messages(*, actor):
    """The actor's own messages in this kindergarten, newest first."""
    from houqin.notices.models import Message

    return (policy.scoped(actor, "notices.messages", Message.objects.all())
            .filter(recipient=actor.user).order_by("-created_at", "-pk"))


def get_my_message(*, actor, code):
    message = my_messages(actor=actor).filter(code=code).first()
    if message is None:
        raise Http404
    return message


def my_preferences(*, actor) -> dict:
    """The actor's channels and quiet hours (the defaults when never chosen), and what is offered."""
    from houqin.notices import channels, outbox
    from houqin.notices.models import ChannelPreference

    pref = ChannelPreference.objects.filter(kindergarten=actor.kindergarten, user=actor.user).first()
    quiet = (pref.quiet_start, pref.quiet_end) if pref and pref.quiet_start and pref.quiet_end else outbox.DEFAULT_QUIET
    return {
        "channels": list(pref.channels) if pref else outbox.default_channels(actor.user),
        "quiet_start": quiet[0], "quiet_end": quiet[1], "offered": channels.offered(actor.kindergarten),
        "email": actor.user.email, "phone": actor.user.phone,
    }


def outbox_deliveries(*, actor, status: str = ""):
    """Every delivery of the kindergarten's messages (newest first), optionally of one status."""
    from houqin.notices.models import Delivery, DeliveryStatus, Message

    messages = policy.scoped(actor, "notices.outbox.view", Message.objects.all())
    qs = Delivery.objects.filter(message__in=messages.values("pk"))
    if status in DeliveryStatus.values:
        qs = qs.filter(status=status)
    return qs.select_related("message__recipient").order_by("-pk")


def outbox_counts(*, actor) -> dict:
    from houqin.notices.models import Delivery, Message

    messages = policy.scoped(actor, "notices.outbox.view", Message.objects.all())
    return dict(Delivery.objects.filter(message__in=messages.values("pk")).values("status")
                .annotate(n=Count("pk")).values_list("status", "n"))


def job_runs(*, actor):
    """The worker's runs for this kindergarten, and the instance's own (the nightly backup)."""
    from houqin.notices.models import JobRun

    if not actor.has("notices.outbox.view"):
        return JobRun.objects.none()
    return JobRun.objects.filter(Q(kindergarten=actor.kindergarten) | Q(kindergarten__isnull=True)).order_by(
        "-started_at", "-pk")
