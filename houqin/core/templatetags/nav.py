"""The main menu's links (base.html), written in Python.

The menu has up to ~60 entries; as a template loop (an `if`, four lookups and a translation per
entry) it cost about a millisecond of every page, more than many pages' own content. The markup is
the loop's (only the blank lines between entries are gone)."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

_SECTION = ('<div class="hq-nav-section" data-area="{area}">{label}\n'
            '              <span class="badge rounded-pill bg-danger d-none" id="nav-count-{area}"></span></div>')
_LINK = ('<a class="nav-link{active}" href="{url}">\n'
         '              <i class="hq-icon bi bi-{icon}" aria-hidden="true"></i> {label}{badge}</a>')
_HOME_BADGE = '\n              <span class="badge rounded-pill bg-danger d-none" id="nav-count-all"></span>'


@register.simple_tag(takes_context=True)
def main_nav(context):
    """The entries of `nav_sections` (core.registry.nav_sections), grouped by area under the area's
    name and its to-do badge; the entry of the page shown is marked active."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match is not None else None
    parts = []
    for section in context.get("nav_sections") or ():
        if section["label"]:
            parts.append(_SECTION.format(area=escape(section["area"]), label=escape(section["label"])))
        for item in section["items"]:
            parts.append(_LINK.format(
                active=" active" if item["url_name"] == current else "", url=escape(item["url"]),
                icon=escape(item["icon"]), label=escape(item["label"]),
                badge=_HOME_BADGE if item["url_name"] == "home" else ""))
    return mark_safe("\n            ".join(parts))
