"""Writing the audit log. Callers pass what happened; this module never stores secrets."""

from houqin.core.models import AuditEvent


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


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
