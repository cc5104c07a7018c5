"""The nap-time round page (午睡巡视) of a class: the day's rounds and the form for the next one (a
phone form: one load, one submit). Thin: houqin.staff.naps does the work."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core.errors import DomainError
from houqin.core.web import add_domain_errors
from houqin.org.models import SchoolClass
from houqin.staff import forms, naps


@policy.requires("staff.nap.view")
def nap_round(request, kg, code):
    actor = request.actor
    cls = policy.scoped(actor, "staff.nap.view", SchoolClass.objects.filter(code=code)).first()
    if cls is None:
        raise Http404
    can_record = policy.allowed(actor, "staff.nap.record", cls)
    form = forms.NapRoundForm(request.POST or None) if can_record else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                naps.nap_round_record(actor=actor, school_class=cls, **form.cleaned_data)
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Round recorded."))
                return redirect(reverse("staff:nap_round", kwargs={"kg": kg, "code": code}))
    today = timezone.localdate()
    return render(request, "staff/nap_round.html", {
        "cls": cls, "form": form, "today": today, "rule": naps.nap_rule(),
        "rounds": list(naps.nap_rounds(actor=actor, school_class=cls, day=today)),
    })
