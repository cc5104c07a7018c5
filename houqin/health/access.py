"""`requires`: houqin.policy.requires plus the audit log of every successful read of children's
health data (capabilities marked sensitive). Used by the pages and the API alike."""

from __future__ import annotations

import functools

from houqin import policy


def requires(capability: str):
    cap = policy.CAPABILITIES.get(capability)
    sensitive = bool(cap and cap.sensitive)

    def decorator(view):
        @functools.wraps(view)
        def audited(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            status = getattr(response, "status_code", 200)
            if sensitive and request.method == "GET" and status == 200:
                from houqin.core.audit import audit_event

                actor = request.actor
                audit_event(action=capability, actor=actor.user, kindergarten=actor.kindergarten,
                            obj=getattr(request, "health_subject", None), request=request,
                            detail={"path": request.path[:200]})
            return response

        return policy.requires(capability)(audited)

    return decorator
