from django import forms
from django.utils.translation import gettext_lazy as _

from houqin.core.forms import StyledForm

from houqin.org.models import Relation, Role, SchoolClass, Sex


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ChildForm(StyledForm):
    name = forms.CharField(label=_("full name"), max_length=30)
    sex = forms.ChoiceField(label=_("sex"), choices=Sex.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(label=_("date of birth"), widget=DateInput())
    school_class = forms.ModelChoiceField(label=_("class"), queryset=SchoolClass.objects.none())
    enrolled_on = forms.DateField(label=_("enrolment date"), widget=DateInput())
    id_number = forms.CharField(label=_("identity card number"), max_length=18, required=False)
    notes = forms.CharField(label=_("notes"), max_length=200, required=False)

    def __init__(self, *args, classes=None, show_id_number=True, **kwargs):
        super().__init__(*args, **kwargs)
        if classes is not None:
            self.fields["school_class"].queryset = classes
        if not show_id_number:
            del self.fields["id_number"]


class LeaveForm(StyledForm):
    left_on = forms.DateField(label=_("leaving date"), widget=DateInput())
    reason = forms.CharField(label=_("reason"), max_length=100, required=False)


class VoidForm(StyledForm):
    reason = forms.CharField(label=_("reason for voiding"), max_length=200)


class GuardianForm(StyledForm):
    name = forms.CharField(label=_("full name"), max_length=30)
    relation = forms.ChoiceField(label=_("relation"), choices=Relation.choices)
    phone = forms.CharField(label=_("mobile phone"), max_length=20)
    is_primary = forms.BooleanField(label=_("primary contact"), required=False)
    can_pick_up = forms.BooleanField(label=_("may collect the child"), required=False, initial=True)


class PickupPersonForm(StyledForm):
    name = forms.CharField(label=_("full name"), max_length=30)
    relation = forms.CharField(label=_("relation"), max_length=30)
    phone = forms.CharField(label=_("mobile phone"), max_length=20)
    valid_from = forms.DateField(label=_("valid from"), widget=DateInput())
    valid_until = forms.DateField(label=_("valid until"), widget=DateInput(), required=False)


class StaffForm(StyledForm):
    username = forms.CharField(label=_("login name"), max_length=150)
    full_name = forms.CharField(label=_("full name"), max_length=50)
    phone = forms.CharField(label=_("mobile phone"), max_length=20)
    role = forms.ChoiceField(label=_("role"), choices=[(r.value, r.label) for r in Role if r not in (Role.PARENT, Role.SUPERVISOR)])
    post = forms.CharField(label=_("post"), max_length=40, required=False)
    password = forms.CharField(label=_("initial password"), widget=forms.PasswordInput, required=False)
    classes = forms.ModelMultipleChoiceField(label=_("classes"), queryset=SchoolClass.objects.none(), required=False)

    def __init__(self, *args, classes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if classes is not None:
            self.fields["classes"].queryset = classes


class ImportForm(StyledForm):
    KIND_CHOICES = [("children", _("Children")), ("staff", _("Staff"))]
    kind = forms.ChoiceField(label=_("roster"), choices=KIND_CHOICES)
    file = forms.FileField(label=_("file (.xlsx)"))


class ErasureForm(StyledForm):
    """The principal carries out a guardian's written request to delete their child's information."""

    letter = forms.FileField(label=_("The guardian's signed written request (scan or photo)"), required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}))
    received_on = forms.DateField(label=_("Date the request was received"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
