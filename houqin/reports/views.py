"""Pages of the reports area: terms and the semester summary (draft, edit, versions, exports), the
parents' corner and the district comparison. Thin: selectors and services do the work."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from houqin import policy
from houqin.core.errors import DomainError
from houqin.core.web import add_domain_errors, xlsx_response
from houqin.reports import district as district_mod
from houqin.reports import draft, exports, selectors, services
from houqin.reports.forms import SummaryEditForm, TermForm

# --- terms and the semester summary ------------------------------------------------------------


@policy.requires("reports.summary.view")
def term_list(request, kg):
    actor = request.actor
    terms = list(selectors.term_list(actor=actor))
    summaries = selectors.summaries_by_term(actor=actor)
    rows = [{"term": t, "summary": summaries.get(t.pk)} for t in terms]
    return render(request, "reports/term_list.html", {"rows": rows, "can_edit": actor.has("reports.summary.edit")})


@require_http_methods(["GET", "POST"])
@policy.requires("reports.summary.edit")
def term_create(request, kg):
    name, start, end = services.default_term_for(timezone.localdate())
    form = TermForm(request.POST or None, initial={"name": name, "start": start, "end": end})
    if request.method == "POST" and form.is_valid():
        try:
            services.term_create(actor=request.actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The term has been added."))
            return redirect("reports:term_list", kg=kg)
    return render(request, "reports/simple_form.html", {"form": form, "title": _("New term"),
                                                        "back": reverse("reports:term_list", kwargs={"kg": kg})})


@require_POST
@policy.requires("reports.summary.edit")
def summary_draft(request, kg, code):
    term = selectors.get_term(actor=request.actor, code=code)
    version = services.summary_draft(actor=request.actor, term=term)
    messages.success(request, _("Drafted from the records: version %(n)d.") % {"n": version.number})
    return redirect("reports:summary", kg=kg, code=version.summary.code)


def _version_param(request, summary):
    raw = request.GET.get("v", "")
    if raw:
        if not raw.isdigit():
            raise Http404
        return selectors.get_version(summary, int(raw))
    version = selectors.current_version(summary)
    if version is None:
        raise Http404
    return version


@policy.requires("reports.summary.view")
def summary_detail(request, kg, code):
    summary = selectors.get_summary(actor=request.actor, code=code)
    version = _version_param(request, summary)
    current = selectors.current_version(summary)
    sections = [{**s, "html": draft.render_html(s["text"], version.figures)} for s in version.sections]
    used = {t for s in version.sections for t in draft.tokens_in(s["text"])}
    figures = [{"key": k, **f, "display": draft.format_value(f)} for k, f in version.figures.items() if k in used]
    return render(request, "reports/summary_detail.html", {
        "summary": summary, "version": version, "current": current, "sections": sections, "figures": figures,
        "is_current": version.number == current.number, "can_edit": request.actor.has("reports.summary.edit"),
    })


@require_http_methods(["GET", "POST"])
@policy.requires("reports.summary.edit")
def summary_edit(request, kg, code):
    summary = selectors.get_summary(actor=request.actor, code=code)
    current = selectors.current_version(summary)
    if current is None:
        raise Http404
    form = SummaryEditForm(request.POST or None, sections=current.sections,
                           initial={"based_on": current.number, "title": summary.title})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.summary_save(actor=request.actor, summary=summary, texts=form.texts(),
                                            based_on=form.cleaned_data["based_on"], note=form.cleaned_data["note"],
                                            title=form.cleaned_data["title"])
        except DomainError as exc:
            for error in exc.errors:
                field = f"s_{error.get('field')}"
                if field in form.fields:
                    form.add_error(field, error["message"])
            if not exc.errors:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved as version %(n)d.") % {"n": version.number})
            return redirect("reports:summary", kg=kg, code=code)
    figures = [{"key": k, **f, "display": draft.format_value(f)} for k, f in current.figures.items()]
    return render(request, "reports/summary_edit.html", {"summary": summary, "version": current, "form": form,
                                                         "figures": figures})


@policy.requires("reports.summary.view")
def summary_versions(request, kg, code):
    summary = selectors.get_summary(actor=request.actor, code=code)
    return render(request, "reports/summary_versions.html", {
        "summary": summary, "versions": list(selectors.versions(summary)),
        "can_edit": request.actor.has("reports.summary.edit"),
    })


@require_GET
@policy.requires("reports.summary.view")
def summary_diff(request, kg, code):
    """Two versions side by side, paragraph by paragraph: what was added, removed or kept."""
    summary = selectors.get_summary(actor=request.actor, code=code)
    found = selectors.versions_diff(summary, _version_number(request.GET.get("old")),
                                    _version_number(request.GET.get("new")))
    return render(request, "reports/summary_diff.html", {"summary": summary, **found})


def _version_number(value) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        raise Http404 from None


@require_POST
@policy.requires("reports.summary.edit")
def summary_restore(request, kg, code, number):
    summary = selectors.get_summary(actor=request.actor, code=code)
    try:
        version = services.summary_restore(actor=request.actor, summary=summary, number=number)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reports:summary_versions", kg=kg, code=code)
    messages.success(request, _("Version %(old)d restored as version %(n)d.") % {"old": number, "n": version.number})
    return redirect("reports:summary", kg=kg, code=code)


def _download(content: bytes, content_type: str, name: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(name)}"
    return response


@policy.requires("reports.summary.view")
def summary_docx(request, kg, code):
    summary = selectors.get_summary(actor=request.actor, code=code)
    version = _version_param(request, summary)
    return _download(exports.summary_docx(summary=summary, version=version),
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     f"{summary.title}-v{version.number}.docx")


@policy.requires("reports.summary.view")
def summary_pdf(request, kg, code):
    summary = selectors.get_summary(actor=request.actor, code=code)
    version = _version_param(request, summary)
    return _download(exports.summary_pdf(summary=summary, version=version), "application/pdf",
                     f"{summary.title}-v{version.number}.pdf", inline=True)


# --- the parents' corner -----------------------------------------------------------------------

# Pages of other areas a parent may use, by the URL names those areas give them (the first that
# exists is linked, and only when the parent's role may open it).
FAMILY_LINKS = [
    ("menus", ("canteen:this_week", "canteen:published_menus", "canteen:family_menu", "canteen:menu_public", "canteen:menu_week")),
    ("meal_account", ("canteen:meal_account_public", "canteen:family_account", "canteen:meal_account")),
    ("pickup", ("safety:my_delegations", "safety:delegation_list", "safety:delegations", "safety:delegation_create")),
    ("custody", ("safety:custody_mine",)),
    ("privacy", ("org:privacy_mine",)),
    ("ratings", ("staff:rate", "staff:rating")),
    ("medication", ("health:medication",)),
    ("bills", ("finance:bill_list",)),
]


def _family_links(actor) -> list[dict]:
    links = []
    labels = {"menus": _("This week's menu"), "meal_account": _("Meal account"), "pickup": _("Pick-up delegations"),
              "custody": _("Someone must not collect my child"),
              "privacy": _("My child's information"),
              "ratings": _("Rate the nursery staff"), "medication": _("Entrusted medicines"),
              "bills": _("Fees to pay")}
    for key, names in FAMILY_LINKS:
        for name in names:
            try:
                url = reverse(name, kwargs={"kg": actor.kindergarten.slug})
                capability = policy.declared_capability(resolve(url).func)
            except (NoReverseMatch, Resolver404):
                continue
            if capability and (capability in (policy.PUBLIC, policy.AUTHENTICATED) or actor.has(capability)):
                links.append({"key": key, "label": labels[key], "url": url})
                break
    return links


@policy.requires("reports.family.view")
def family(request, kg):
    from houqin.finance.selectors import fee_standard_list
    from houqin.notices import selectors as notice_selectors

    actor = request.actor
    children = list(notice_selectors.own_children(actor).select_related("school_class"))
    notices = list(notice_selectors.notice_list(actor=actor)[:10])
    fees = list(fee_standard_list(actor=actor)[:20]) if actor.has("finance.fees.view") else []
    injuries = []
    if actor.has("safety.injury.view"):  # injuries of their own children told to them (safety.injuries)
        from houqin.safety.injuries import injury_list

        injuries = list(injury_list(actor=actor)[:10])
    bills = []
    if actor.has("finance.bill.view"):  # this month's and last month's fee bills (finance.billing)
        from houqin.finance.billing import bill_list

        bills = list(bill_list(actor=actor).order_by("-month", "child__name_pinyin")[:4])
    return render(request, "reports/family.html", {
        "bills": bills,
        "injuries": injuries, "injuries_unanswered": sum(1 for i in injuries if not i.is_answered),
        "children": children, "notices": notices, "unread": sum(1 for n in notices if not n.is_read),
        "fees": fees, "links": _family_links(actor), "delegate_link": actor.has("safety.pickup.request"),
        "health_link": actor.has("health.child.view"),
    })


# --- the district ------------------------------------------------------------------------------


def _period(request) -> tuple[dt.date, dt.date]:
    _name, start, end = services.default_term_for(timezone.localdate())
    try:
        if request.GET.get("start"):
            start = dt.date.fromisoformat(request.GET["start"])
        if request.GET.get("end"):
            end = dt.date.fromisoformat(request.GET["end"])
    except ValueError:
        raise Http404 from None
    if end < start or (end - start).days > 400:
        raise Http404
    return start, end


def _compare(request, district) -> dict:
    start, end = _period(request)
    return district_mod.comparison(district=district, start=start, end=end, sort=request.GET.get("sort", "name"),
                                   direction=request.GET.get("dir", "asc"), flagged=request.GET.get("flagged") == "1")


@policy.requires("reports.district.compare")
def district_compare(request, district):
    actor = request.actor
    table = _compare(request, actor.district)
    reports = district_mod.submitted_reports(district=actor.district, start=table["start"], end=table["end"])
    return render(request, "reports/district_compare.html", {"table": table, "reports": reports,
                                                             "chart": district_mod.chart(table),
                                                             "district": actor.district})


@policy.requires("reports.district.compare")
def district_compare_xlsx(request, district):
    actor = request.actor
    table = _compare(request, actor.district)
    return xlsx_response(exports.comparison_xlsx(district=actor.district, table=table),
                         f"{actor.district.name}-对比-{table['start']:%Y%m%d}-{table['end']:%Y%m%d}.xlsx")


@policy.requires("reports.district.compare")
def district_kindergarten(request, district, kindergarten):
    """One kindergarten of the district: its figures over the last terms and the reports it sent."""
    from houqin.org.models import Kindergarten

    actor = request.actor
    # The district scope grants aggregates, not rows: the kindergartens of the actor's district.
    kg = policy.get_or_404(actor, None, Kindergarten.objects.filter(district=actor.district, is_active=True),
                           slug=kindergarten)
    start, end = _period(request)
    terms = district_mod.kindergarten_terms(kindergarten=kg, start=start)
    first = terms["terms"][-1]["start"]
    reports = district_mod.submitted_reports(district=actor.district, start=first, end=end, kindergarten=kg)
    return render(request, "reports/district_kindergarten.html", {"kindergarten": kg, "terms": terms,
                                                                  "reports": reports, "district": actor.district,
                                                                  "start": start, "end": end,
                                                                  "can_safety": actor.has("safety.report.view"),
                                                                  "can_health": actor.has("health.report.district")})
