"""Use cases of the reports area: terms, drafting the summary, saving, restoring versions."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.core.errors import Conflict, DomainError, Forbidden
from houqin.core.registry import figures_for
from houqin.reports import draft, versions, writer
from houqin.reports.models import Summary, SummaryVersion, Term
from houqin.reports.rules import limits_for, measure

MAX_SECTION = 20000


def _require(actor, capability):
    if not actor.has(capability):
        raise Forbidden()


def default_term_for(day: dt.date) -> tuple[str, dt.date, dt.date]:
    """The usual term containing `day`: autumn 1 Sep – 31 Jan, spring 1 Feb – 31 Jul (summer
    counts with the spring term)."""
    if day.month >= 9 or day.month == 1:
        year = day.year if day.month >= 9 else day.year - 1
        return _("%(a)d–%(b)d school year, first term") % {"a": year, "b": year + 1}, dt.date(year, 9, 1), dt.date(year + 1, 1, 31)
    year = day.year - 1
    return _("%(a)d–%(b)d school year, second term") % {"a": year, "b": year + 1}, dt.date(day.year, 2, 1), dt.date(day.year, 8, 31)


@transaction.atomic
def term_create(*, actor, name: str, start: dt.date, end: dt.date) -> Term:
    _require(actor, "reports.summary.edit")
    name = (name or "").strip()
    errors = []
    if not name:
        errors.append({"field": "name", "message": _("Give the term a name.")})
    if start and end and end < start:
        errors.append({"field": "end", "message": _("The last day comes before the first day.")})
    if start and end and (end - start).days > 220:
        errors.append({"field": "end", "message": _("A term lasts at most seven months.")})
    if not errors and Term.objects.filter(kindergarten=actor.kindergarten, start__lte=end, end__gte=start).exists():
        errors.append({"field": "start", "message": _("This period overlaps another term.")})
    if errors:
        raise DomainError(errors[0]["message"], errors=errors)
    return Term.objects.create(kindergarten=actor.kindergarten, created_by=actor.user, name=name, start=start, end=end)


def term_figures(term: Term) -> dict:
    """{key: snapshot} of every figure the areas give for the term, in the registry's order, each
    counted in its measure word (次, 处, 份, 名 …)."""
    figures = figures_for([term.kindergarten], term.start, term.end).get(term.kindergarten_id, [])
    out = {}
    for f in figures:
        snap = draft.snapshot(f)
        snap["unit"] = measure(f.key, snap["unit"])
        out[f.key] = snap
    return out


def previous_term(term: Term) -> Term | None:
    return (Term.objects.filter(kindergarten_id=term.kindergarten_id, end__lt=term.start)
            .order_by("-start").first())


def write_draft(term: Term) -> tuple[list[dict], dict]:
    """The text and figures of a fresh draft of the term: the figures now, compared with the
    previous term's, the problems the records show."""
    previous = previous_term(term)
    return writer.compose(kindergarten_name=term.kindergarten.name, term_name=term.name, figures=term_figures(term),
                          previous=term_figures(previous) if previous else None,
                          limits=limits_for([term.kindergarten])[term.kindergarten_id])


def _next_number(summary: Summary) -> int:
    last = SummaryVersion.objects.filter(summary=summary).order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def summary_draft(*, actor, term: Term) -> SummaryVersion:
    """Draft (or redraft) the term's summary from the records: a new version whose text is written
    from the figures as they are now. Earlier versions stay."""
    _require(actor, "reports.summary.edit")
    if term.kindergarten_id != actor.kindergarten.pk:
        raise Forbidden()
    Term.objects.select_for_update().get(pk=term.pk)  # one drafter at a time per term
    summary = Summary.objects.filter(term=term, voided_at__isnull=True).first()
    if summary is None:
        summary = Summary.objects.create(
            kindergarten=term.kindergarten, created_by=actor.user, term=term,
            title=_("%(kg)s logistics summary, %(term)s") % {"kg": term.kindergarten.name, "term": term.name},
        )
    sections, figures = write_draft(term)
    note = _("Drafted from the records")
    current = SummaryVersion.objects.filter(summary=summary).order_by("-number").first()
    if current is not None and current.origin != SummaryVersion.Origin.DRAFTED:
        # A person edited (or restored) since the last draft: their paragraphs are kept.
        base = (SummaryVersion.objects.filter(summary=summary, origin=SummaryVersion.Origin.DRAFTED,
                                              number__lt=current.number).order_by("-number").first())
        sections = versions.merge(base.sections if base else [], current.sections, sections)
        for key, fig in current.figures.items():  # figures the kept text still names
            figures.setdefault(key, fig)
        kept = sum(len(s.get("kept", [])) for s in sections)
        if kept:
            note = _("Redrafted from the records; %(n)d paragraphs of version %(v)d kept") % {
                "n": kept, "v": current.number}
    return SummaryVersion.objects.create(
        kindergarten=term.kindergarten, created_by=actor.user, summary=summary, number=_next_number(summary),
        origin=SummaryVersion.Origin.DRAFTED, sections=sections, figures=figures,
        figures_computed_at=timezone.now(), note=note[:200],
    )


@transaction.atomic
def summary_save(*, actor, summary: Summary, texts: dict[str, str], based_on: int, note: str = "",
                 title: str | None = None) -> SummaryVersion:
    """Save the director's edit as a new version. `based_on` is the version the edit started from:
    if someone saved in between, nothing is saved (Conflict). Figures stay those of that version;
    a token that names no figure is refused."""
    _require(actor, "reports.summary.edit")
    if summary.kindergarten_id != actor.kindergarten.pk or summary.voided_at is not None:
        raise Forbidden()
    Summary.objects.select_for_update().get(pk=summary.pk)
    current = SummaryVersion.objects.filter(summary=summary).order_by("-number").first()
    if current is None or current.number != based_on:
        raise Conflict(_("Someone saved a newer version meanwhile: open the summary again and redo your change."))
    sections, errors = [], []
    for section in current.sections:
        text = texts.get(section["key"], section["text"])
        text = (text or "").replace("\r\n", "\n").strip()
        if len(text) > MAX_SECTION:
            errors.append({"field": section["key"], "message": _("This section is too long.")})
        unknown = sorted({t for t in draft.tokens_in(text) if t not in current.figures})
        if unknown:
            errors.append({"field": section["key"], "message": _("Unknown figures: %(keys)s. Keep the [[…]] marks as they were drafted.") % {"keys": "、".join(unknown)}})
        sections.append({**section, "text": text})
    if errors:
        raise DomainError(errors[0]["message"], errors=errors)
    if title is not None and title.strip() and title.strip() != summary.title:
        summary.title = title.strip()[:100]
        summary.save(update_fields=["title", "updated_at"])
    return SummaryVersion.objects.create(
        kindergarten=summary.kindergarten, created_by=actor.user, summary=summary, number=current.number + 1,
        origin=SummaryVersion.Origin.EDITED, sections=sections, figures=current.figures,
        figures_computed_at=current.figures_computed_at, note=(note or "").strip()[:200],
    )


@transaction.atomic
def summary_restore(*, actor, summary: Summary, number: int) -> SummaryVersion:
    """Make an old version current again, as a new version (history is never rewritten)."""
    _require(actor, "reports.summary.edit")
    if summary.kindergarten_id != actor.kindergarten.pk:
        raise Forbidden()
    Summary.objects.select_for_update().get(pk=summary.pk)
    old = SummaryVersion.objects.filter(summary=summary, number=number).first()
    if old is None:
        raise DomainError(_("There is no such version."), code="not_found")
    return SummaryVersion.objects.create(
        kindergarten=summary.kindergarten, created_by=actor.user, summary=summary, number=_next_number(summary),
        origin=SummaryVersion.Origin.RESTORED, sections=old.sections, figures=old.figures,
        figures_computed_at=old.figures_computed_at, note=_("Restored version %(n)d") % {"n": number},
    )
