"""Pages of notices: the list, reading one (which records the receipt), writing, withdrawing and
the read receipts."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from houqin import policy
from houqin.core.errors import DomainError
from houqin.core.web import add_domain_errors
from houqin.notices import selectors, services
from houqin.notices.forms import NoticeForm, PreferencesForm, ReasonForm
from houqin.notices.models import NoticeKind
from houqin.org.models import SchoolClass

PAGE_SIZE = 30


def writable_classes(actor):
    return policy.scoped(actor, "notices.publish", SchoolClass.objects.filter(is_active=True))


@policy.requires("notices.view")
def notice_list(request, kg):
    actor = request.actor
    kind = request.GET.get("kind", "")
    kind = kind if kind in NoticeKind.values else ""
    can_publish = actor.has("notices.publish")
    page = Paginator(selectors.notice_list(actor=actor, kind=kind, include_drafts=can_publish,
                                           include_voided=actor.has("notices.void")), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "notices/notice_list.html", {
        "page": page, "kind": kind, "kinds": NoticeKind.choices, "can_publish": can_publish,
        "can_receipts": actor.has("notices.receipts.view"),
    })


@policy.requires("notices.view")
def notice_detail(request, kg, code):
    actor = request.actor
    notice = selectors.get_notice(actor=actor, code=code)
    receipt = services.notice_read(actor=actor, notice=notice)
    return render(request, "notices/notice_detail.html", {
        "notice": notice, "receipt": receipt,
        "classes": list(notice.classes.all()), "children_count": notice.children.count(),
        "can_void": actor.has("notices.void") and notice.voided_at is None,
        "can_publish": actor.has("notices.publish") and notice.published_at is None and notice.voided_at is None,
        "can_receipts": actor.has("notices.receipts.view") and notice.published_at is not None,
    })


@require_http_methods(["GET", "POST"])
@policy.requires("notices.publish")
def notice_create(request, kg):
    actor = request.actor
    form = NoticeForm(request.POST or None, classes_qs=writable_classes(actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = services.notice_publish(
                actor=actor, title=data["title"], body=data["body"], kind=data["kind"], audience=data["audience"],
                classes=list(data["classes"]), publish=data["publish"],
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The notice has been published.") if notice.published_at
                             else _("The notice has been saved as a draft."))
            return redirect("notices:detail", kg=kg, code=notice.code)
    return render(request, "notices/notice_form.html", {"form": form})


@require_POST
@policy.requires("notices.publish")
def notice_publish(request, kg, code):
    notice = selectors.get_notice(actor=request.actor, code=code)
    try:
        services.notice_publish_draft(actor=request.actor, notice=notice)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The notice has been published."))
    return redirect("notices:detail", kg=kg, code=code)


@require_http_methods(["GET", "POST"])
@policy.requires("notices.void")
def notice_void(request, kg, code):
    notice = selectors.get_notice(actor=request.actor, code=code)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_void(actor=request.actor, notice=notice, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The notice has been withdrawn."))
            return redirect("notices:detail", kg=kg, code=code)
    return render(request, "notices/simple_form.html", {
        "form": form, "title": _("Withdraw “%(title)s”") % {"title": notice.title}, "danger": True,
    })


@policy.requires("notices.receipts.view")
def notice_receipts(request, kg, code):
    notice = selectors.get_notice(actor=request.actor, code=code)
    return render(request, "notices/notice_receipts.html", {
        "notice": notice, **selectors.receipts(actor=request.actor, notice=notice),
    })


# --- the outbox: one's messages and channels; the director's outbox and job runs --------------------


@policy.requires("notices.messages")
def message_list(request, kg):
    actor = request.actor
    page = Paginator(selectors.my_messages(actor=actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notices/messages.html", {
        "page": page, "unread": any(m.read_at is None for m in page)})


@require_http_methods(["GET"])
@policy.requires("notices.messages")
def message_open(request, kg, code):
    """Open a message: it is read, and its link (the record it is about) opens."""
    actor = request.actor
    message = selectors.get_my_message(actor=actor, code=code)
    services.messages_read(actor=actor, messages=[message])
    if message.url.startswith(f"/k/{actor.kindergarten.slug}/"):
        return redirect(message.url)
    return redirect("notices:messages", kg=kg)


@require_POST
@policy.requires("notices.messages")
def messages_read(request, kg):
    n = services.messages_read(actor=request.actor)
    messages.success(request, _("%(n)d messages marked read.") % {"n": n})
    return redirect("notices:messages", kg=kg)


@require_http_methods(["GET", "POST"])
@policy.requires("notices.messages")
def preferences(request, kg):
    actor = request.actor
    current = selectors.my_preferences(actor=actor)
    form = PreferencesForm(request.POST or None, offered=current["offered"], initial=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.preferences_set(actor=actor, channels=data["channels"], quiet_start=data["quiet_start"],
                                     quiet_end=data["quiet_end"], email=data["email"], phone=data["phone"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Saved: this is how you will get messages."))
            return redirect("notices:preferences", kg=kg)
    return render(request, "notices/preferences.html", {"form": form})


@policy.requires("notices.outbox.view")
def outbox_view(request, kg):
    from houqin.notices.models import DeliveryStatus
    from houqin.notices.schedule import JOB_LABELS

    actor = request.actor
    status = request.GET.get("status", "")
    status = status if status in DeliveryStatus.values else ""
    page = Paginator(selectors.outbox_deliveries(actor=actor, status=status), PAGE_SIZE).get_page(
        request.GET.get("page"))
    counts = selectors.outbox_counts(actor=actor)
    runs = list(selectors.job_runs(actor=actor)[:30])
    for r in runs:
        r.label = JOB_LABELS.get(r.job, r.job)
    return render(request, "notices/outbox.html", {
        "page": page, "status": status, "runs": runs,
        "statuses": [(v, label, counts.get(v, 0)) for v, label in DeliveryStatus.choices],
    })
