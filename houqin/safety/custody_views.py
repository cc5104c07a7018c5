"""Pages of custody restrictions (不得接走). Thin: parse, call houqin.safety.custody, render.

The principal and the class teacher see the restrictions in full; a guardian files one for their own
child from their corner and sees those they filed; the guard sees only the photo and 不得接走 on the
pick-up card (views.pickup_card) and the refusal line when the gate refuses."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin import policy
from houqin.core import files
from houqin.core.errors import DomainError
from houqin.org.validators import mask_id_number
from houqin.safety import custody, forms, selectors


def _url(name, kg, **kwargs):
    return reverse(f"safety:{name}", kwargs={"kg": kg, **kwargs})


@policy.requires("safety.custody.view")
def custody_list(request, kg):
    actor = request.actor
    return render(request, "safety/custody_list.html", {
        "restrictions": list(selectors.custody_list(actor=actor)), "today": timezone.localdate(),
        "can_file": actor.has("safety.custody.file")})


@policy.requires("safety.custody.view")
def custody_detail(request, kg, code):
    actor = request.actor
    restriction = selectors.get_custody(actor=actor, code=code)
    return render(request, "safety/custody_detail.html", {
        "r": restriction, "masked_id": mask_id_number(restriction.id_number), "today": timezone.localdate(),
        "refusals": selectors.custody_refusals(actor=actor, restriction=restriction),
        "can_decide": policy.allowed(actor, "safety.custody.decide", restriction),
        "void_form": forms.VoidForm()})


@policy.requires("safety.custody.file")
def custody_mine(request, kg):
    """A guardian's corner: file a restriction for their own child, and the ones they filed."""
    actor = request.actor
    return render(request, "safety/custody_mine.html", {
        "restrictions": list(selectors.own_custody(actor=actor)), "today": timezone.localdate()})


@policy.requires("safety.custody.file")
def custody_create(request, kg):
    from houqin.org.models import Child

    actor = request.actor
    children = policy.scoped(actor, "safety.custody.file", Child.objects.active().filter(left_on__isnull=True)) \
        .select_related("school_class").order_by("name_pinyin", "name")
    form = forms.CustodyForm(request.POST or None, request.FILES or None, children=children,
                             initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = custody.restriction_file(actor=actor, **data)
        except DomainError as exc:
            from houqin.core.web import add_domain_errors

            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Recorded: the gate will not release %(child)s to %(name)s.")
                             % {"child": made.child.name, "name": made.person_name})
            if actor.has("safety.custody.view"):
                return redirect(_url("custody_detail", kg, code=made.code))
            return redirect(_url("custody_mine", kg))
    return render(request, "safety/form.html", {
        "form": form, "title": _("Someone must not collect the child"),
        "intro": _("Attach the court order or your signed statement. The gate refuses this person from the "
                   "moment you save, and the principal checks the document.")})


@require_POST
@policy.requires("safety.custody.decide")
def custody_confirm(request, kg, code):
    actor = request.actor
    restriction = selectors.get_custody(actor=actor, code=code, capability="safety.custody.decide")
    try:
        custody.restriction_confirm(actor=actor, restriction=restriction)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Confirmed."))
    return redirect(_url("custody_detail", kg, code=code))


@require_POST
@policy.requires("safety.custody.decide")
def custody_void(request, kg, code):
    actor = request.actor
    restriction = selectors.get_custody(actor=actor, code=code, capability="safety.custody.decide")
    try:
        custody.restriction_void(actor=actor, restriction=restriction, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Voided: the gate no longer refuses this person."))
    return redirect(_url("custody_detail", kg, code=code))


@policy.requires("safety.custody.view")
def custody_document(request, kg, code):
    restriction = selectors.get_custody(actor=request.actor, code=code)
    return files.file_response(restriction.document)


@policy.requires("safety.pickup.view")
def custody_photo(request, kg, code):
    """The barred person's photo, for the gate (the guard) as for the principal and class teacher."""
    from houqin.safety.models import CustodyRestriction

    restriction = policy.get_or_404(request.actor, "safety.pickup.view", CustodyRestriction.objects.active(),
                                    code=code)
    if not restriction.photo:
        raise Http404
    return files.file_response(restriction.photo)
