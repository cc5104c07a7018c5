"""Pages of guardians' rights (PIPL): a guardian downloads everything held about their child; the principal
carries out a written request to delete it. Thin: parse, call houqin.org.privacy, render."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core import files
from houqin.core.errors import DomainError
from houqin.core.web import add_domain_errors
from houqin.org import privacy, selectors
from houqin.org.forms import ErasureForm
from houqin.org.models import Child, ErasureRequest


@policy.requires("org.privacy.export")
def privacy_mine(request, kg):
    """A guardian's page: what is held about their child, and the download of all of it."""
    return render(request, "org/privacy_mine.html", {
        "children": list(privacy.children_for_export(actor=request.actor))})


@policy.requires("org.privacy.export")
def privacy_export(request, kg, code):
    actor = request.actor
    child = policy.get_or_404(actor, "org.privacy.export", Child.objects.active(), code=code)
    data = privacy.export_child(actor=actor, child=child)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="child-{child.code}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@policy.requires("org.privacy.erase")
def erasure_list(request, kg):
    return render(request, "org/erasure_list.html", {
        "requests": list(privacy.erasure_list(actor=request.actor)[:200]),
        "periods": list(privacy.retention_periods().values())})


@policy.requires("org.privacy.erase")
def erasure_create(request, kg, code):
    actor = request.actor
    child = selectors.get_child(actor=actor, code=code, capability="org.privacy.erase")
    form = ErasureForm(request.POST or None, request.FILES or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            done = privacy.erasure_carry_out(actor=actor, child=child, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Done: %(erased)d records erased, %(kept)d kept out of sight until the law "
                                        "lets them go.") % {"erased": done.erased_count, "kept": done.restricted_count})
            return redirect(reverse("org:erasure_list", kwargs={"kg": kg}))
    return render(request, "org/erasure_form.html", {
        "form": form, "child": child, "plan": privacy.deletion_plan(child),
        "periods": privacy.retention_periods()})


@policy.requires("org.privacy.erase")
def erasure_letter(request, kg, code):
    request_row = policy.get_or_404(request.actor, "org.privacy.erase", ErasureRequest, code=code)
    return files.file_response(request_row.letter)
