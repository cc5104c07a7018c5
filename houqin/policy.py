"""The policy: the one place that says which role may do what, and on which objects.

Views and API endpoints declare the capability they need with `@requires("area.thing.verb")`;
selectors narrow their querysets with `scoped(actor, capability, queryset)`; nothing else checks a
role. Anything not granted here is denied (fail closed). Each area adds its capabilities to
CAPABILITIES below.

Scopes, widest first:
- KINDERGARTEN: every row of the kindergarten (narrowed to the campus when the membership has one);
- CLASS: rows of the membership's classes;
- CHILD: rows of the parent's own children (through org.Guardian.user);
- DISTRICT: aggregate figures of the district's kindergartens (supervisors), never child rows.

A model opts into scoping by declaring `scope_paths`, the lookups from it to a campus, a class and
a child. A grant whose scope has no path on the model denies.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import Enum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.functional import cached_property

from houqin.org.models import Role


class Scope(str, Enum):
    KINDERGARTEN = "kindergarten"
    CAMPUS = "campus"
    CLASS = "class"
    CHILD = "child"
    DISTRICT = "district"


K, C, CH, D = Scope.KINDERGARTEN, Scope.CLASS, Scope.CHILD, Scope.DISTRICT
ALL_STAFF = [r for r in Role if r not in (Role.PARENT, Role.SUPERVISOR)]
EVERYONE_IN_KINDERGARTEN = [r for r in Role if r != Role.SUPERVISOR]

# Capabilities that need no membership: declared so that the URL walk finds a policy for them.
PUBLIC = "public"  # anyone, logged in or not (login page, health check)
AUTHENTICATED = "authenticated"  # any logged-in user (the chooser, the language switch)
SUPERUSER = "superuser"  # Django's admin: back-office repair only


@dataclass(frozen=True)
class Capability:
    name: str
    grants: dict[Role, Scope]
    sensitive: bool = False  # each use is written to the audit log
    description: str = ""


def _grant(roles, scope) -> dict[Role, Scope]:
    return {role: scope for role in roles}


_CORE_AND_ORG = [
    # --- home and navigation -------------------------------------------------------------
    Capability("home.view", _grant(EVERYONE_IN_KINDERGARTEN, K), description="Home page with to-dos"),
    Capability("district.view", {Role.SUPERVISOR: D}, description="District comparison of kindergartens"),
    # --- organisation ---------------------------------------------------------------------
    Capability(
        "org.class.view",
        {**_grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN, Role.GUARD], K),
         Role.CLASS_TEACHER: C, Role.NURSERY: C},
        description="Classes and their sizes",
    ),
    Capability(
        "org.class.change", {Role.PRINCIPAL: K, Role.DIRECTOR: K}, description="Create and edit classes"
    ),
    Capability(
        "org.child.view",
        {**_grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER, Role.GUARD], K),
         Role.CLASS_TEACHER: C, Role.NURSERY: C, Role.PARENT: CH},
        description="Children: name, class, birth date, guardians",
    ),
    Capability(
        "org.child.view_sensitive",
        {Role.PRINCIPAL: K, Role.HEALTH_TEACHER: K, Role.CLASS_TEACHER: C, Role.PARENT: CH},
        sensitive=True,
        description="Identity-card number and guardians' phones of a child",
    ),
    Capability(
        "org.child.create", {Role.PRINCIPAL: K, Role.DIRECTOR: K}, description="Enrol a child"
    ),
    Capability(
        "org.child.change",
        {Role.PRINCIPAL: K, Role.DIRECTOR: K, Role.CLASS_TEACHER: C},
        description="Edit a child, guardians and pick-up people; record leaving",
    ),
    Capability(
        "org.child.void", {Role.PRINCIPAL: K}, description="Void a child entered by mistake"
    ),
    Capability(
        "org.roster.import", {Role.PRINCIPAL: K, Role.DIRECTOR: K}, description="Import rosters from .xlsx"
    ),
    Capability(
        "org.roster.export", {Role.PRINCIPAL: K, Role.DIRECTOR: K}, sensitive=True,
        description="Export rosters to .xlsx",
    ),
    Capability(
        "org.staff.view", {Role.PRINCIPAL: K, Role.DIRECTOR: K}, description="Staff and their roles"
    ),
    Capability(
        "org.staff.change", {Role.PRINCIPAL: K}, description="Add staff, change roles, deactivate"
    ),
    Capability("core.audit.view", {Role.PRINCIPAL: K}, description="Audit log of the kindergarten"),
]

# --- stock (houqin.stock): warehouses, items, batches, the movement ledger, requisitions, stocktakes
_STOCK: list[Capability] = []

# --- assets (houqin.assets): fixed-asset register, class handovers, asset stocktakes
_ASSETS: list[Capability] = []

# --- finance (houqin.finance): purchase and repair requests, expenses, budgets, fee standards
_FINANCE: list[Capability] = []

CAPABILITIES: dict[str, Capability] = {c.name: c for c in [*_CORE_AND_ORG, *_STOCK, *_ASSETS, *_FINANCE]}


# --------------------------------------------------------------------------------------------
# Actors


@dataclass
class Actor:
    """Who is acting, where: a user and their active memberships in one kindergarten (or, for a
    supervisor, one district)."""

    user: object
    memberships: list = field(default_factory=list)
    kindergarten: object = None
    district: object = None

    @cached_property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(m.role) for m in self.memberships)

    def grants(self, capability: str) -> list[tuple[object, Scope]]:
        cap = CAPABILITIES.get(capability)
        if cap is None:
            return []
        return [(m, cap.grants[Role(m.role)]) for m in self.memberships if Role(m.role) in cap.grants]

    def has(self, capability: str) -> bool:
        return bool(self.grants(capability))

    def widest_scope(self, capability: str) -> Scope | None:
        order = [K, Scope.CAMPUS, C, CH, D]
        scopes = [s for _, s in self.grants(capability)]
        return min(scopes, key=order.index) if scopes else None


def actor_for_kindergarten(user, kindergarten) -> Actor | None:
    """The actor for `user` in `kindergarten`, or None when they have no active membership there."""
    if not user.is_authenticated or not user.is_active:
        return None
    memberships = list(user.memberships.filter(kindergarten=kindergarten, is_active=True))
    if not memberships:
        return None
    return Actor(user=user, memberships=memberships, kindergarten=kindergarten)


def actor_for_district(user, district) -> Actor | None:
    if not user.is_authenticated or not user.is_active:
        return None
    memberships = list(user.memberships.filter(district=district, role=Role.SUPERVISOR, is_active=True))
    if not memberships:
        return None
    return Actor(user=user, memberships=memberships, district=district)


# --------------------------------------------------------------------------------------------
# Object scope


def _membership_q(membership, scope: Scope, model) -> Q | None:
    paths = getattr(model, "scope_paths", {})
    if scope == K:
        if membership.campus_id is not None:
            if "campus" not in paths:
                return None
            return Q(kindergarten_id=membership.kindergarten_id, **{paths["campus"]: membership.campus_id})
        return Q(kindergarten_id=membership.kindergarten_id)
    if scope == C:
        if "class" not in paths:
            return None
        through = type(membership).classes.through
        own = through.objects.filter(membership_id=membership.pk).values("schoolclass_id")
        return Q(kindergarten_id=membership.kindergarten_id, **{f"{paths['class']}__in": own})
    if scope == CH:
        if "child" not in paths:
            return None
        from houqin.org.models import Guardian

        own = Guardian.objects.filter(
            user_id=membership.user_id, kindergarten_id=membership.kindergarten_id, voided_at__isnull=True
        ).values("child_id")
        return Q(kindergarten_id=membership.kindergarten_id, **{f"{paths['child']}__in": own})
    return None  # DISTRICT grants aggregates, never rows


def scope_q(actor: Actor, capability: str, model) -> Q | None:
    """The filter that selects the rows of `model` the actor may use `capability` on; None if none."""
    result = None
    for membership, scope in actor.grants(capability):
        q = _membership_q(membership, scope, model)
        if q is not None:
            result = q if result is None else result | q
    return result


def scoped(actor: Actor, capability: str, queryset: QuerySet) -> QuerySet:
    q = scope_q(actor, capability, queryset.model)
    if q is None:
        return queryset.none()
    return queryset.filter(q)


def can(actor: Actor, capability: str, obj) -> bool:
    """Whether the actor may use `capability` on `obj`. The same filter as `scoped`, so a list and
    an object check can never disagree."""
    q = scope_q(actor, capability, type(obj))
    if q is None:
        return False
    return type(obj)._default_manager.filter(q, pk=obj.pk).exists()


# --------------------------------------------------------------------------------------------
# Declaring the policy of a view or an API endpoint


def requires(capability: str):
    """Declare the capability a view or API endpoint needs, and enforce it.

    With a `kg` URL argument the actor is resolved in that kindergarten (404 without a membership
    there), with a `district` argument in that district; 403 when the actor lacks the capability.
    Sets `request.actor`.
    """
    if capability not in CAPABILITIES and capability not in (PUBLIC, AUTHENTICATED, SUPERUSER):
        raise ValueError(f"Unknown capability {capability!r}: add it to houqin.policy.CAPABILITIES")

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if capability != PUBLIC:
                user = request.user
                if not user.is_authenticated:
                    if _is_api(request):
                        raise PermissionDenied  # ninja's auth answers 401 before this point
                    return redirect_to_login(request)
                actor = _resolve_actor(request, kwargs)
                request.actor = actor
                if capability == SUPERUSER and not user.is_superuser:
                    raise PermissionDenied
                if capability not in (AUTHENTICATED, SUPERUSER) and not actor.has(capability):
                    _audit_denied(request, actor, capability)
                    raise PermissionDenied
                if CAPABILITIES.get(capability) and CAPABILITIES[capability].sensitive:
                    request.sensitive_capability = capability
            return view(request, *args, **kwargs)

        wrapper.houqin_capability = capability
        return wrapper

    return decorator


def declared_capability(view) -> str | None:
    return getattr(view, "houqin_capability", None)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def redirect_to_login(request):
    from django.contrib.auth.views import redirect_to_login as django_redirect

    return django_redirect(request.get_full_path())


def _resolve_actor(request, kwargs) -> Actor:
    from houqin.org.models import District, Kindergarten

    user = request.user
    if "kg" in kwargs:
        kindergarten = Kindergarten.objects.filter(slug=kwargs["kg"], is_active=True).first()
        actor = actor_for_kindergarten(user, kindergarten) if kindergarten else None
        token = getattr(request, "api_token", None)
        if token is not None and kindergarten is not None and token.kindergarten_id != kindergarten.pk:
            actor = None  # a token acts only in its own kindergarten
        if actor is None:
            raise Http404
        return actor
    if "district" in kwargs:
        district = District.objects.filter(slug=kwargs["district"]).first()
        actor = actor_for_district(user, district) if district else None
        if actor is None or getattr(request, "api_token", None) is not None:
            raise Http404
        return actor
    return Actor(user=user, memberships=[])


def _audit_denied(request, actor, capability):
    from houqin.core.audit import audit_event

    if CAPABILITIES[capability].sensitive:
        audit_event(
            action=capability,
            actor=actor.user,
            kindergarten=actor.kindergarten,
            outcome="denied",
            request=request,
        )


__all__ = [
    "AUTHENTICATED",
    "CAPABILITIES",
    "PUBLIC",
    "SUPERUSER",
    "Actor",
    "Capability",
    "Scope",
    "actor_for_district",
    "actor_for_kindergarten",
    "can",
    "declared_capability",
    "requires",
    "scope_q",
    "scoped",
]
