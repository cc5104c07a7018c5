"""Reads of the organisation, always through the actor's scope. Out of scope looks like missing."""

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404

from houqin import policy
from houqin.org.models import STAFF_ROLES, Child, Kindergarten, Membership, Role, SchoolClass


def class_list(*, actor, capability: str = "org.class.view"):
    enrolled = Q(children__left_on__isnull=True, children__voided_at__isnull=True)
    return (
        policy.scoped(actor, capability, SchoolClass.objects.filter(is_active=True))
        .select_related("campus")
        .annotate(child_count=Count("children", filter=enrolled))
        .order_by("campus__name", "sort_order", "name")
    )


def child_list(*, actor, school_class=None, search: str = "", include_left: bool = False):
    qs = Child.objects.active().select_related("school_class", "school_class__campus")
    if not include_left:
        qs = qs.filter(left_on__isnull=True)
    if school_class is not None:
        qs = qs.filter(school_class=school_class)
    if search:
        qs = qs.filter(name__contains=search.strip())
    return policy.scoped(actor, "org.child.view", qs).order_by("school_class__campus__name", "school_class__sort_order", "name_pinyin")


def get_child(*, actor, code, capability: str = "org.child.view") -> Child:
    qs = Child.objects.select_related("school_class", "school_class__campus")
    child = policy.scoped(actor, capability, qs).filter(code=code).first()
    if child is None:
        raise Http404
    return child


def get_class(*, actor, code, capability: str = "org.class.view") -> SchoolClass:
    school_class = policy.scoped(actor, capability, SchoolClass.objects.select_related("campus")).filter(code=code).first()
    if school_class is None:
        raise Http404
    return school_class


def staff_users(kindergarten):
    """The people a form may name as staff of the kindergarten (custodian, assignee, recipient,
    witness, attendee…): active users with an active staff role there, by name, each annotated with
    `staff_role` (their first staff role there) for the pickers' labels (core.forms.StaffChoiceField)."""
    roles = Membership.objects.filter(kindergarten=kindergarten, is_active=True, role__in=STAFF_ROLES)
    return (get_user_model().objects.filter(pk__in=roles.values("user_id"), is_active=True)
            .annotate(staff_role=Subquery(roles.filter(user=OuterRef("pk")).order_by("role").values("role")[:1]))
            .order_by("full_name", "username"))


def staff_list(*, actor):
    if not actor.has("org.staff.view"):
        return Membership.objects.none()
    return (
        Membership.objects.filter(kindergarten=actor.kindergarten)
        .exclude(role=Role.PARENT)
        .select_related("user", "campus")
        .prefetch_related("classes")
        .order_by("role", "user__full_name")
    )


def _count_by_kindergarten(qs) -> dict[int, int]:
    return dict(qs.values_list("kindergarten_id").annotate(n=Count("id")).values_list("kindergarten_id", "n"))


def district_overview(*, actor) -> list[dict]:
    """Aggregate figures per kindergarten of the supervisor's district. No child rows: a fixed
    number of grouped queries, whatever the number of kindergartens."""
    if not actor.has("district.view") or actor.district is None:
        return []
    kindergartens = list(Kindergarten.objects.filter(district=actor.district, is_active=True).order_by("name"))
    in_district = {"kindergarten__district": actor.district}
    children = _count_by_kindergarten(Child.objects.active().filter(left_on__isnull=True, **in_district))
    classes = _count_by_kindergarten(SchoolClass.objects.filter(is_active=True, **in_district))
    staff = _count_by_kindergarten(
        Membership.objects.filter(is_active=True, **in_district).exclude(role=Role.PARENT)
    )
    return [
        {
            "kindergarten": k,
            "children": children.get(k.pk, 0),
            "classes": classes.get(k.pk, 0),
            "staff": staff.get(k.pk, 0),
        }
        for k in kindergartens
    ]


# --- the field policy of a child's record: the same on pages, in the API and in exports ------------


def sensitive_child_ids(*, actor, children) -> set[int]:
    """The children (of the queryset `children`) whose identity-card number and guardians' phones
    the actor may read in full (org.child.view_sensitive); the others' are masked everywhere."""
    return set(policy.scoped(actor, "org.child.view_sensitive", children).values_list("pk", flat=True))


def shown_phone(phone: str, *, sensitive: bool) -> str:
    from houqin.org.validators import mask_phone

    return phone if sensitive else mask_phone(phone or "")


def shown_id_number(id_number: str, *, sensitive: bool) -> str:
    from houqin.org.validators import mask_id_number

    return id_number if sensitive else mask_id_number(id_number or "")


def shown_staff_phone(actor, phone: str) -> str:
    """Staff phones are on no page: only those who manage staff (org.staff.change, who enter them)
    read them in full, in the staff roster export."""
    from houqin.org.validators import mask_phone

    return phone if actor.has("org.staff.change") else mask_phone(phone or "")
