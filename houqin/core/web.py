"""Small pieces the HTML views of every area share."""

import datetime as dt

from django.http import HttpResponse

from houqin.core.errors import DomainError


def add_domain_errors(form, exc: DomainError) -> None:
    """Show a service's DomainError on the form: per field where it names one, else on top."""
    placed = False
    for error in exc.errors:
        field = error.get("field") if isinstance(error, dict) else None
        message = error.get("message") if isinstance(error, dict) else str(error)
        if field and field in form.fields:
            form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def form_action(request, form, action, *, success_url: str, template: str, context: dict | None = None,
                success_message: str = ""):
    """The usual form page: on a valid POST run `action(cleaned_data)`, then redirect; a
    DomainError from the service is shown on the form and nothing is saved."""
    from django.contrib import messages
    from django.shortcuts import redirect, render

    if request.method == "POST" and form.is_valid():
        try:
            action(form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            if success_message:
                messages.success(request, success_message)
            return redirect(success_url)
    return render(request, template, {"form": form, **(context or {})})


def rule_figure_post(request, *, area: str, key: str, back: str):
    """The POST of a rule figure's row (templates/core/_rule_figures.html), for every area: set the
    kindergarten's own value with its source, or ("clear") go back to the shipped figure. The area's
    URL declares the capability; core.rules checks it again and validates."""
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from houqin.core import rules

    try:
        if "clear" in request.POST:
            rules.override_clear(actor=request.actor, area=area, key=key)
            messages.success(request, _("The shipped figure applies again."))
        else:
            row = rules.override_set(actor=request.actor, area=area, key=key, value=request.POST.get("value"),
                                     source=request.POST.get("source", ""), note=request.POST.get("note", ""))
            messages.success(request, _("The rule figure has been saved.") if row is not None
                             else _("The shipped figure applies again."))
    except DomainError as exc:
        messages.error(request, "；".join(e["message"] for e in exc.errors if isinstance(e, dict)) or exc.message)
    return redirect(f"{back}#rule-{key}")


def day_param(request, name: str = "date", *, default: dt.date | None = None,
              latest: dt.date | None = None) -> dt.date:
    """The day a page is asked for in its query string (`?date=2026-12-01`). Absent or empty: `default`
    (today). A value that is not a date Houqin accepts gives the default too, and the page says so in
    its messages: a page silently showing another day would be read as the day that was asked. A day
    after `latest` (a register that cannot run ahead of today) gives `latest`, said the same way."""
    from django.contrib import messages
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from houqin.core.inputs import date_problem

    fallback = default or timezone.localdate()
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return fallback
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or date_problem(day):
        messages.warning(request, _("“%(value)s” is not a date (write it as 2026-12-01); showing %(day)s instead.")
                         % {"value": raw[:40], "day": fallback.isoformat()})
        return fallback
    if latest is not None and day > latest:
        messages.warning(request, _("%(day)s has not come yet; showing %(latest)s instead.")
                         % {"day": day.isoformat(), "latest": latest.isoformat()})
        return latest
    return day
