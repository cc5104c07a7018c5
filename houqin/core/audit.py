"""Writing the audit log. Callers pass what happened; this module never stores secrets."""

import ipaddress
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from houqin.core.models import AuditEvent

# What each action of the log means, as the audit page says it (查看了幼儿健康档案), not its key.
# The key stays in the database (searchable, stable); a new action gets its words here.
ACTION_LABELS = {
    "auth.login": _("signed in"),
    "auth.logout": _("signed out"),
    "auth.otp.verify": _("gave a two-step sign-in code"),
    "auth.otp.enrol": _("set up two-step sign-in"),
    "auth.otp.recovery_codes": _("made new recovery codes"),
    "auth.otp.reset": _("reset a staff member's two-step sign-in"),
    "org.child.view_sensitive": _("viewed a child's full identity number"),
    "org.roster.import": _("imported a roster"),
    "org.roster.export": _("exported a roster"),
    "org.staff.add": _("added a staff member"),
    "org.staff.deactivate": _("deactivated a staff member"),
    "org.privacy.export": _("downloaded everything held about a child"),
    "org.privacy.erase": _("deleted a child's information at the guardian's request"),
    "org.privacy.erased": _("carried out a deletion request: records erased or restricted"),
    "org.privacy.purge": _("purged restricted records whose retention period ended"),
    "staff.certificate.view": _("viewed a health certificate"),
    "staff.certificate.change": _("changed a health certificate"),
    "health.view": _("viewed today's health overview"),
    "health.check.record": _("recorded a morning check"),
    "health.child.view": _("viewed a child's health record"),
    "health.exam.view": _("viewed health exams"),
    "health.exam.record": _("recorded a health exam"),
    "health.vaccination.view": _("viewed vaccination records"),
    "health.vaccination.record": _("recorded a vaccination check"),
    "health.disease.view": _("viewed infectious disease records"),
    "health.disease.manage": _("changed an infectious disease record"),
    "health.medication.view": _("viewed entrusted medicines"),
    "health.medication.request": _("entrusted a medicine to the class"),
    "health.medication.give": _("received or gave an entrusted medicine"),
    "safety.visitor.view_id": _("viewed a visitor's full identity number"),
    "safety.pickup.refused": _("refused a pick-up"),
    "safety.custody.refused": _("refused a pick-up to a person barred from collecting the child"),
    "safety.custody.view": _("viewed a custody restriction"),
    "safety.custody.file": _("filed a custody restriction"),
    "safety.custody.decide": _("confirmed or voided a custody restriction"),
    "health.diet.view": _("viewed allergy and diet records"),
    "health.diet.record": _("recorded or confirmed an allergy or diet"),
    "health.diet.request": _("asked for an allergy or diet to be recorded"),
    "assets.import": _("imported fixed assets"),
    "assets.export": _("exported the asset register"),
    "stock.export": _("exported the stock report"),
    "finance.purchase.approve": _("approved a purchase request"),
    "finance.purchase.reject": _("rejected a purchase request"),
    "finance.repair.approve": _("approved a repair"),
    "finance.repair.reject": _("rejected a repair"),
    "finance.expense.sign": _("signed an expense"),
    "finance.expense.pay": _("paid an expense"),
    "finance.expense.void": _("voided an expense"),
    "finance.report.export": _("exported the monthly finance report"),
}


def action_label(action: str) -> str:
    """The words for an action of the log; an action without words shows as "other action"."""
    return ACTION_LABELS.get(action) or _("other action")


def object_label(object_type: str) -> str:
    """The name of a logged object's kind ("org.Child" → 幼儿), from its model's verbose name."""
    if not object_type:
        return ""
    try:
        return apps.get_model(object_type)._meta.verbose_name
    except (LookupError, ValueError):
        return _("record")


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address, for the sign-in lockout (django-axes) and the audit log alike.

    Directly connected (the default): REMOTE_ADDR. With HOUQIN_BEHIND_PROXY=1 and the request
    coming from one of HOUQIN_TRUSTED_PROXIES, the proxy's header (HOUQIN_PROXY_IP_HEADER,
    X-Forwarded-For by default) is read from the right: the first address that is not a trusted
    proxy is the client. A request from anywhere else keeps REMOTE_ADDR, so a client cannot choose
    its own address by sending the header itself."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR")
    if not getattr(settings, "HOUQIN_BEHIND_PROXY", False):
        return remote
    trusted = _networks(tuple(getattr(settings, "HOUQIN_TRUSTED_PROXIES", ())))

    def is_trusted(address) -> bool:
        return any(address in network for network in trusted)

    remote_address = _address(remote or "")
    if remote_address is None or not is_trusted(remote_address):
        return remote
    header = "HTTP_" + settings.HOUQIN_PROXY_IP_HEADER.upper().replace("-", "_")
    hops = [_address(h) for h in request.META.get(header, "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop is None:
            return remote  # a garbled header: trust nothing in it
        if not is_trusted(hop):
            return str(hop)
    return str(hops[0]) if hops else remote


def audit_event(
    *,
    action: str,
    actor=None,
    kindergarten=None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    obj=None,
    request=None,
    detail: dict | None = None,
    actor_name: str = "",
    object_type: str = "",
    object_code: str = "",
) -> AuditEvent:
    """Append one event. `obj` is any model instance with a `code` (or pk) to point at (or give
    `object_type` and `object_code` for an object that was asked for but not found)."""
    if obj is not None:
        object_type = obj._meta.label
        object_code = str(getattr(obj, "code", obj.pk))
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_name=actor_name or (actor.get_username() if actor else ""),
        kindergarten=kindergarten,
        outcome=outcome,
        object_type=object_type,
        object_code=object_code,
        ip_address=client_ip(request),
        detail=detail or {},
    )
