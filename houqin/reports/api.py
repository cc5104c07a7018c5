"""JSON API of the reports area: the same selectors and services as the pages, the same policy."""

from uuid import UUID

from django.http import Http404
from django.utils import timezone
from ninja import Router, Status

from houqin.core.inputs import Day
from houqin import policy
from houqin.reports import district as district_mod
from houqin.reports import draft, selectors, services
from houqin.reports.schemas import CompareOut, SummaryDiffOut, SummaryIn, SummaryOut, TermIn, TermOut, VersionOut

router = Router(tags=["reports"])


def _term_out(term, summary=None) -> dict:
    return {"code": term.code, "name": term.name, "start": term.start, "end": term.end,
            "summary_code": summary.code if summary else None}


def _version_out(v) -> dict:
    return {"number": v.number, "origin": v.origin, "note": v.note, "created_at": v.created_at,
            "created_by": v.created_by.display_name if v.created_by else None}


def _summary_out(summary, version) -> dict:
    return {
        "code": summary.code, "title": summary.title, "term": _term_out(summary.term, summary),
        "version": _version_out(version),
        "sections": [{**s, "rendered": draft.render_text(s["text"], version.figures)} for s in version.sections],
        "figures": [{"key": k, "label": f["label"], "value": f["value"], "unit": f["unit"],
                     "display": draft.format_value(f), "url": f["url"], "detail": f["detail"], "section": f["section"]}
                    for k, f in version.figures.items()],
    }


@router.get("/k/{kg}/reports/terms", response=list[TermOut])
@policy.requires("reports.summary.view")
def list_terms(request, kg: str):
    summaries = selectors.summaries_by_term(actor=request.actor)
    return [_term_out(t, summaries.get(t.pk)) for t in selectors.term_list(actor=request.actor)]


@router.post("/k/{kg}/reports/terms", response={201: TermOut})
@policy.requires("reports.summary.edit")
def create_term(request, kg: str, payload: TermIn):
    return Status(201, _term_out(services.term_create(actor=request.actor, **payload.dict())))


@router.post("/k/{kg}/reports/terms/{code}/draft", response={201: SummaryOut})
@policy.requires("reports.summary.edit")
def draft_summary(request, kg: str, code: UUID):
    version = services.summary_draft(actor=request.actor, term=selectors.get_term(actor=request.actor, code=code))
    return Status(201, _summary_out(version.summary, version))


@router.get("/k/{kg}/reports/summaries/{code}", response=SummaryOut)
@policy.requires("reports.summary.view")
def get_summary(request, kg: str, code: UUID, version: int | None = None):
    summary = selectors.get_summary(actor=request.actor, code=code)
    v = selectors.get_version(summary, version) if version else selectors.current_version(summary)
    if v is None:
        raise Http404
    return _summary_out(summary, v)


@router.get("/k/{kg}/reports/summaries/{code}/versions", response=list[VersionOut])
@policy.requires("reports.summary.view")
def list_versions(request, kg: str, code: UUID):
    return [_version_out(v) for v in selectors.versions(selectors.get_summary(actor=request.actor, code=code))]


@router.get("/k/{kg}/reports/summaries/{code}/diff", response=SummaryDiffOut)
@policy.requires("reports.summary.view")
def diff_versions(request, kg: str, code: UUID, old: int | None = None, new: int | None = None):
    """What changed between two versions (by default the one before the current and the current)."""
    found = selectors.versions_diff(selectors.get_summary(actor=request.actor, code=code), old, new)
    return {"old": found["old"].number, "new": found["new"].number, "changed": found["changed"],
            "sections": found["sections"]}


@router.post("/k/{kg}/reports/summaries/{code}/versions", response={201: SummaryOut})
@policy.requires("reports.summary.edit")
def save_summary(request, kg: str, code: UUID, payload: SummaryIn):
    summary = selectors.get_summary(actor=request.actor, code=code)
    version = services.summary_save(actor=request.actor, summary=summary, texts=payload.texts,
                                    based_on=payload.based_on, note=payload.note, title=payload.title)
    return Status(201, _summary_out(summary, version))


@router.post("/k/{kg}/reports/summaries/{code}/versions/{number}/restore", response={201: SummaryOut})
@policy.requires("reports.summary.edit")
def restore_version(request, kg: str, code: UUID, number: int):
    summary = selectors.get_summary(actor=request.actor, code=code)
    version = services.summary_restore(actor=request.actor, summary=summary, number=number)
    return Status(201, _summary_out(summary, version))


@router.get("/d/{district}/compare", response=CompareOut)
@policy.requires("reports.district.compare")
def district_compare(request, district: str, start: Day | None = None, end: Day | None = None, sort: str = "name",
                     dir: str = "asc", flagged: bool = False):  # noqa: A002 - the page's query parameter
    _name, default_start, default_end = services.default_term_for(timezone.localdate())
    start, end = start or default_start, end or default_end
    if end < start or (end - start).days > 400:
        raise Http404
    table = district_mod.comparison(district=request.actor.district, start=start, end=end, sort=sort,
                                    direction=dir, flagged=flagged)

    def cell(c):
        return {"key": c["key"], "value": None if c["number"] is None else str(c["number"]), "display": c["display"],
                "flag": c["flag"], "rule": c["rule"], "why": c["why"], "previous": c["before"] or None,
                "trend": c["trend"]}

    return {"start": start, "end": end, "previous_start": table["before_start"], "previous_end": table["before_end"],
            "sort": table["sort"], "dir": table["direction"], "breaking": table["breaking"],
            "columns": table["columns"],
            "rows": [{"kindergarten": r["kindergarten"].name, "slug": r["kindergarten"].slug, "flags": r["flags"],
                      "problems": r["problems"], "cells": [cell(c) for c in r["cells"]]} for r in table["rows"]]}
