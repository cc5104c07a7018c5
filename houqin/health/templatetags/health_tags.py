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
        ("health:illness_absence", "health.view", _("Illness absence")),
        ("health:cases", "health.disease.view", _("Disease")),
        ("health:exams", "health.exam.view", _("Exams")),
        ("health:weak_cases", "health.exam.view", _("Weak children")),
        ("health:corrections", "health.exam.view", _("Corrections")),
        ("health:vaccination", "health.vaccination.view", _("Vaccination")),
        ("health:disinfection", "health.disinfection.view", _("Disinfection")),
        ("health:summary", "health.summary.view", _("Summary")),
        ("health:settings", "health.settings", _("Rule figures")),
    ])


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
def dose_name(vaccine, dose_no=None):
    """A vaccine dose by its Chinese name ("百白破疫苗 第1剂"), never the code (DTaP-1)."""
    from houqin.health import rules

    names = {d.vaccine: d.name for d in rules.nip_schedule()}
    name = names.get(vaccine, vaccine)
    return _("%(name)s dose %(n)s") % {"name": name, "n": dose_no} if dose_no else name


@register.filter
def standard_name(key):
    """The growth standard's Chinese name."""
    from houqin.health import judgements

    return judgements.standard_name(key)


@register.filter
def band(z):
    """The position band of a z-score: "中上（+1SD～+2SD）"."""
    from houqin.health import judgements

    b = judgements.band(z)
    return str(b) if b else "—"


@register.filter
def exam_words(exam):
    """The plain words of an exam ("正常", "超重、贫血")."""
    from houqin.health import judgements

    return "、".join(judgements.words(exam))


@register.filter
def exam_positions(exam):
    from houqin.health import judgements

    return judgements.positions(exam)


@register.filter
def counts(pairs):
    """[(name, n), …] as 发热3、咳嗽1 (the symptoms and causes of the illness-absence report)."""
    from houqin.health.statistics import counts_text

    return counts_text(pairs)
