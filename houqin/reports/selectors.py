"""Reads of the reports area, scoped through the policy."""

from __future__ import annotations

from django.http import Http404

from houqin import policy
from houqin.reports.models import Summary, SummaryVersion, Term


def term_list(*, actor):
    return policy.scoped(actor, "reports.summary.view", Term.objects.all()).order_by("-start")


def get_term(*, actor, code) -> Term:
    term = term_list(actor=actor).filter(code=code).first()
    if term is None:
        raise Http404
    return term


def summaries_by_term(*, actor) -> dict[int, Summary]:
    qs = policy.scoped(actor, "reports.summary.view", Summary.objects.filter(voided_at__isnull=True))
    return {s.term_id: s for s in qs}


def get_summary(*, actor, code) -> Summary:
    summary = (policy.scoped(actor, "reports.summary.view", Summary.objects.filter(voided_at__isnull=True))
               .select_related("term").filter(code=code).first())
    if summary is None:
        raise Http404
    return summary


def versions(summary: Summary):
    return SummaryVersion.objects.filter(summary=summary).select_related("created_by").order_by("-number")


def current_version(summary: Summary) -> SummaryVersion | None:
    return versions(summary).first()


def get_version(summary: Summary, number: int) -> SummaryVersion:
    version = versions(summary).filter(number=number).first()
    if version is None:
        raise Http404
    return version


def versions_diff(summary: Summary, old: int | None, new: int | None) -> dict:
    """What changed in the summary between two of its versions (by default the one before the
    current and the current): {old, new, sections: versions.diff(...), changed: count of sections}."""
    from houqin.reports import versions as summary_versions

    all_versions = list(versions(summary))  # newest first
    if not all_versions:
        raise Http404
    by_number = {v.number: v for v in all_versions}
    new_version = by_number.get(new) if new else all_versions[0]
    old_version = by_number.get(old) if old else (all_versions[1] if len(all_versions) > 1 else all_versions[0])
    if new_version is None or old_version is None:
        raise Http404
    sections = summary_versions.diff(old_version, new_version)
    return {"old": old_version, "new": new_version, "sections": sections, "versions": all_versions,
            "changed": sum(1 for s in sections if s["changed"])}
