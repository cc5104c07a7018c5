"""The health area's tabs, status badges and labels."""

from django import template
from django.utils.translation import gettext as _

from houqin.core.registry import tab_links

register = template.Library()


@register.inclusion_tag("health/_tabs.html", takes_context=True)
def health_tabs(context):
    return tab_links(context, [
        ("health:overview", "health.view", _("Today")),
        ("health:attendance", "health.view", _("Attendance")),
        ("health:cases", "health.disease.view", _("Disease")),
        ("health:exams", "health.exam.view", _("Exams")),
        ("health:weak_cases", "health.exam.view", _("Weak children")),
        ("health:vaccination", "health.vaccination.view", _("Vaccination")),
        ("health:disinfection", "health.disinfection.view", _("Disinfection")),
        ("health:summary", "health.summary.view", _("Summary")),
        ("health:settings", "health.settings", _("Rule figures")),
    ])


@register.inclusion_tag("health/_status.html")
def figure_status(status):
    """The status of a rule figure's source: 待核实 (UNCONFIRMED) stands out."""
    return {"status": status}


@register.filter
def findings_labels(codes):
    from houqin.health.models import Finding

    labels = dict(Finding.choices)
    if isinstance(codes, str):
        codes = [c for c in codes.split(",") if c]
    return "、".join(str(labels.get(c, c)) for c in codes or [])


@register.filter
def disease_name(code):
    from houqin.health import rules

    d = rules.diseases().get(code)
    return d.name if d else code


@register.filter
def results_labels(codes):
    from houqin.health.models import GrowthResult

    labels = dict(GrowthResult.choices)
    return "、".join(str(labels.get(c, c)) for c in codes or [])


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def contains(container, item):
    return item in (container or ())


@register.filter
def growth_words(exam) -> list[dict]:
    """An exam's growth in words for parents and teachers ("身高 正常", "体重 超重"): the measurement
    and the plain word of its result, never an indicator code or a z-score."""
    from houqin.health.models import GrowthResult

    results = set(exam.results or [])
    labels = dict(GrowthResult.choices)
    height = [labels[r] for r in (GrowthResult.STUNTING,) if r in results]
    weight = [labels[r] for r in (GrowthResult.UNDERWEIGHT, GrowthResult.WASTING, GrowthResult.OVERWEIGHT,
                                  GrowthResult.OBESITY) if r in results]
    return [
        {"label": _("Height"), "value": f"{exam.height_cm} cm", "word": "、".join(map(str, height)) or _("normal"),
         "ok": not height},
        {"label": _("Weight"), "value": f"{exam.weight_kg} kg", "word": "、".join(map(str, weight)) or _("normal"),
         "ok": not weight},
    ]
