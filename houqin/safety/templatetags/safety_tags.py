from django import template

from houqin.safety.exports import duration as _duration

register = template.Library()


@register.filter
def duration(seconds):
    """An evacuation time in seconds as "2 min 10 s"."""
    return _duration(seconds)


@register.filter
def has(actor, capability: str) -> bool:
    """Whether the actor holds the capability (to show or hide a link; the view checks again)."""
    return bool(actor is not None and actor.has(capability))
