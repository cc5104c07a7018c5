"""Forms of the health pages (the per-child tables of the check and the class exam are read by the
views directly: one row per child)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from houqin.core.forms import StyledForm, staff_labels
from houqin.health import rules
from houqin.health.models import (
    DiagnosisSource,
    DisinfectionArea,
    DisinfectionMethod,
    ExamKind,
    WeakReason,
)

DATE = forms.DateInput(attrs={"type": "date"})


class CaseForm(StyledForm):
    child = forms.ChoiceField(label=_("Child"), required=False)
    staff = forms.ChoiceField(label=_("or staff member"), required=False)
    disease = forms.ChoiceField(label=_("Disease"))
    onset_date = forms.DateField(label=_("Onset"), widget=DATE)
    diagnosis_source = forms.ChoiceField(label=_("Diagnosed by"), choices=DiagnosisSource.choices)
    diagnosis_note = forms.CharField(label=_("Hospital or doctor"), max_length=100, required=False)
    isolation_start = forms.DateField(label=_("Isolation from"), widget=DATE, required=False,
                                      help_text=_("Empty: from the onset."))
    reported_on = forms.DateField(label=_("Reported on"), widget=DATE, required=False,
                                  help_text=_("Empty: today."))
    fever_end = forms.DateField(label=_("Fever ended"), widget=DATE, required=False)
    rash_onset = forms.DateField(label=_("Rash onset"), widget=DATE, required=False)
    symptoms_end = forms.DateField(label=_("Symptoms ended"), widget=DATE, required=False)
    treatment_start = forms.DateField(label=_("Treatment started"), widget=DATE, required=False,
                                      help_text=_("The isolation runs from the date the disease's rule names; a date "
                                                  "not yet known can be added later on the case."))

    def __init__(self, *args, children=(), staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = [("", "—")] + [(str(c.code), f"{c.school_class.name} {c.name}") for c in children]
        self.fields["staff"].choices = [("", "—")] + [(str(u.pk), label) for u, label in staff_labels(staff)]
        self.fields["disease"].choices = rules.disease_choices()


class CaseDatesForm(StyledForm):
    fever_end = forms.DateField(label=_("Fever ended"), widget=DATE, required=False)
    rash_onset = forms.DateField(label=_("Rash onset"), widget=DATE, required=False)
    symptoms_end = forms.DateField(label=_("Symptoms ended"), widget=DATE, required=False)
    treatment_start = forms.DateField(label=_("Treatment started"), widget=DATE, required=False)


class ClearForm(StyledForm):
    returned_on = forms.DateField(label=_("Returned on"), widget=DATE)
    clearance_note = forms.CharField(label=_("Return clearance (复课证明) issued by"), max_length=100, required=False)


class ClosureForm(StyledForm):
    school_class = forms.ChoiceField(label=_("Class"))
    start = forms.DateField(label=_("Closed from"), widget=DATE)
    planned_end = forms.DateField(label=_("Planned reopening"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, classes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].choices = [(str(c.code), c.name) for c in classes]


class ReopenForm(StyledForm):
    on = forms.DateField(label=_("Reopened on"), widget=DATE)


class FollowUpForm(StyledForm):
    diagnosis = forms.CharField(label=_("What the illness was"), max_length=100, required=False)
    disease = forms.ChoiceField(label=_("Notifiable disease (opens a case)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disease"].choices = [("", "—")] + rules.disease_choices()


class DisinfectionForm(StyledForm):
    school_class = forms.ChoiceField(label=_("Class"))
    date = forms.DateField(label=_("Date"), widget=DATE)
    area = forms.ChoiceField(label=_("Area"), choices=DisinfectionArea.choices)
    method = forms.ChoiceField(label=_("Method"), choices=DisinfectionMethod.choices)
    concentration_mg_l = forms.IntegerField(label=_("Concentration (mg/L)"), required=False, min_value=1)
    minutes = forms.IntegerField(label=pgettext_lazy("duration", "Minutes"), required=False, min_value=1, max_value=600)

    def __init__(self, *args, classes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].choices = [(str(c.code), c.name) for c in classes]


class WeakCaseForm(StyledForm):
    child = forms.ChoiceField(label=_("Child"))
    reason = forms.ChoiceField(label=_("Reason"), choices=WeakReason.choices)
    plan = forms.CharField(label=_("Plan"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = [(str(c.code), f"{c.school_class.name} {c.name}") for c in children]


class WeakUpdateForm(StyledForm):
    plan = forms.CharField(label=_("Plan"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    follow_up = forms.CharField(label=_("Follow-up"), max_length=300, required=False)
    close_outcome = forms.CharField(label=_("Close the case with the outcome"), max_length=200, required=False)


class ExamImportForm(StyledForm):
    file = forms.FileField(label=_("The clinic's .xlsx"))
    date = forms.DateField(label=_("Exam date (when the file has none)"), widget=DATE)
    kind = forms.ChoiceField(label=_("Exam"), choices=ExamKind.choices)
    update_existing = forms.BooleanField(
        label=_("Update existing exams"), required=False,
        help_text=_("Only when the file corrects exams already imported: their values are replaced."))


class StandardForm(StyledForm):
    standard = forms.ChoiceField(label=_("Growth standard"))

    def __init__(self, *args, **kwargs):
        from houqin.health import rules

        super().__init__(*args, **kwargs)
        self.fields["standard"].choices = [(s["key"], s["edition"]) for s in rules.growth_standards()]


class RecheckForm(StyledForm):
    date = forms.DateField(label=_("Re-check date"), widget=DATE)
    result = forms.CharField(label=_("Result"), max_length=200)
    resolved = forms.BooleanField(label=_("Resolved"), required=False)


class DeviceForm(StyledForm):
    campus = forms.ChoiceField(label=_("Campus"))
    name = forms.CharField(label=_("Name"), max_length=60)

    def __init__(self, *args, campuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campus"].choices = [(str(c.code), c.name) for c in campuses]
