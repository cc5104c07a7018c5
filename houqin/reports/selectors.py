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
