"""Forms of the safety pages: they parse and show; the rules are in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from houqin.core import files
from houqin.core.forms import StaffChoiceField, StyledForm
from houqin.org.selectors import staff_users
from houqin.safety.models import (
    CustodyDocument,
    DrillKind,
    DutySlot,
    EquipmentKind,
    Frequency,
    GroupRole,
    IncidentKind,
    InspectionCategory,
    PlanKind,
    ReportPeriod,
    Severity,
    ZoneKind,
)

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
PHOTO = forms.ClearableFileInput(attrs={"accept": files.ACCEPT_IMAGES, "capture": "environment"})


class HazardForm(StyledForm):
    location = forms.CharField(label=_("Where"), max_length=100, required=False)
    description = forms.CharField(label=_("What is wrong"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(label=_("How serious"), choices=Severity.choices, initial=Severity.NORMAL)
    photo = forms.FileField(label=_("Photo"), required=False, widget=PHOTO)


class AssignForm(StyledForm):
    assignee = StaffChoiceField(label=_("Who rectifies it"), queryset=None)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)
    note = forms.CharField(label=_("Instructions"), max_length=200, required=False)

    def __init__(self, *args, kindergarten, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_users(kindergarten)


class RectifyForm(StyledForm):
    rectification = forms.CharField(label=_("What was done"), max_length=1000,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(label=_("Photo after rectification"), required=False, widget=PHOTO)


class VerifyForm(StyledForm):
    note = forms.CharField(label=_("Re-check note"), max_length=200, required=False)
    deadline = forms.DateField(label=_("New deadline (when reopening)"), required=False, widget=DATE)


class RepairForm(StyledForm):
    estimated_cost = forms.DecimalField(label=_("Estimated cost (yuan)"), max_digits=12, decimal_places=2,
                                        min_value=0, initial=0)


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ZoneForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=ZoneKind.choices)
    post = forms.CharField(label=_("Responsible post"), max_length=40)
    owner = StaffChoiceField(label=_("Responsible person"), queryset=None, required=False)
    school_class = forms.ModelChoiceField(label=_("Class"), queryset=None, required=False)
    checklist = forms.CharField(label=_("Self-check items, one a line"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, kindergarten, **kwargs):
        from houqin.org.models import SchoolClass

        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_users(kindergarten)
        self.fields["school_class"].queryset = SchoolClass.objects.filter(kindergarten=kindergarten, is_active=True)


class AgreementForm(StyledForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    post = forms.CharField(label=_("Post"), max_length=40)
    holder = StaffChoiceField(label=_("Holder"), queryset=None)
    duties = forms.CharField(label=_("Responsibilities"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, kindergarten, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = staff_users(kindergarten)


class LeadershipForm(StyledForm):
    user = StaffChoiceField(label=_("Person"), queryset=None)
    group_role = forms.ChoiceField(label=_("Role in the group"), choices=GroupRole.choices)
    duty = forms.CharField(label=_("Responsible for"), max_length=100, required=False)

    def __init__(self, *args, kindergarten, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff_users(kindergarten)


class TemplateForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=60)
    category = forms.ChoiceField(label=_("Category"), choices=InspectionCategory.choices)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    inspector = StaffChoiceField(label=_("Inspector"), queryset=None, required=False)
    items = forms.CharField(label=_("Items, one a line"), widget=forms.Textarea(attrs={"rows": 8}))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, kindergarten, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = staff_users(kindergarten)


class EquipmentForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=EquipmentKind.choices)
    label = forms.CharField(label=_("Number on the equipment"), max_length=30)
    model_type = forms.CharField(label=_("Type"), max_length=60, required=False)
    location = forms.CharField(label=_("Location"), max_length=100)
    last_inspected_on = forms.DateField(label=_("Last annual inspection"), required=False, widget=DATE)
    last_refilled_on = forms.DateField(label=_("Last refilled"), required=False, widget=DATE)
    refill_due_on = forms.DateField(label=_("Refill due"), required=False, widget=DATE)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DATE)


class DrillPlanForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=DrillKind.choices)
    planned_on = forms.DateField(label=_("Date"), widget=DATE)
    announced = forms.BooleanField(label=_("Announced in advance"), required=False, initial=True)
    plan = forms.ModelChoiceField(label=_("Plan it rehearses"), queryset=None, required=False)

    def __init__(self, *args, kindergarten=None, **kwargs):
        from houqin.safety.models import Plan

        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.active().filter(kindergarten=kindergarten).order_by("kind", "title")


class PlanForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanKind.choices)


class PlanVersionForm(StyledForm):
    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 8}))
    document = forms.FileField(label=_("File (PDF or photo of the signed document)"), required=False,
                               widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT_DOCUMENTS}))
    changes = forms.CharField(label=_("What changed"), max_length=200, required=False)
    approved_by = StaffChoiceField(label=_("Approved by"), queryset=None, required=False)
    approved_on = forms.DateField(label=_("Approved on"), widget=DATE, required=False)
    review_due = forms.DateField(label=_("Review due"), widget=DATE, required=False)

    def __init__(self, *args, kindergarten, **kwargs):
        from houqin.safety.rulebook import approvers

        super().__init__(*args, **kwargs)
        self.fields["approved_by"].queryset = approvers(kindergarten)


class DrillRecordForm(StyledForm):
    held_at = forms.DateTimeField(label=_("Held at"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    classes = forms.ModelMultipleChoiceField(label=_("Classes taking part"), queryset=None, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    children_count = forms.IntegerField(label=_("Children taking part"), min_value=0, initial=0)
    staff_count = forms.IntegerField(label=_("Staff taking part"), min_value=0, initial=0)
    minutes = forms.IntegerField(label=_("Evacuation time: minutes"), min_value=0, required=False)
    seconds = forms.IntegerField(label=_("and seconds"), min_value=0, max_value=59, required=False)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}))
    problems = forms.CharField(label=_("Problems found (each becomes a hazard), one a line"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(label=_("Photo"), required=False, widget=PHOTO)

    def __init__(self, *args, kindergarten, **kwargs):
        from houqin.org.models import SchoolClass

        super().__init__(*args, **kwargs)
        self.fields["classes"].queryset = SchoolClass.objects.filter(kindergarten=kindergarten, is_active=True) \
            .order_by("sort_order", "name")
        self.fields["classes"].widget.attrs["class"] = "form-check-input"


class VisitorForm(StyledForm):
    name = forms.CharField(label=_("Full name"), max_length=30)
    id_number = forms.CharField(label=_("Identity card number"), max_length=18, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=60, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=100)
    host = forms.CharField(label=_("Visiting"), max_length=30)


class DelegationForm(StyledForm):
    date = forms.DateField(label=_("Date"), widget=DATE)
    delegate_name = forms.CharField(label=_("Delegate's name"), max_length=30)
    relation = forms.CharField(label=_("Relation to the child"), max_length=30)
    phone = forms.CharField(label=_("Delegate's mobile phone"), max_length=20)
    reason = forms.CharField(label=_("Reason"), max_length=100, required=False)


class ConfirmForm(StyledForm):
    note = forms.CharField(label=_("Whom you called and what they said"), max_length=100)


class DutyForm(StyledForm):
    date = forms.DateField(label=_("Date"), widget=DATE)
    slot = forms.ChoiceField(label=_("Time"), choices=DutySlot.choices)
    person = StaffChoiceField(label=_("Member of staff"), queryset=None, required=False)
    volunteer_name = forms.CharField(label=_("Or a parent volunteer"), max_length=30, required=False)
    post = forms.CharField(label=_("Post"), max_length=30, required=False)

    def __init__(self, *args, kindergarten, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff_users(kindergarten)


class SwapForm(StyledForm):
    person = StaffChoiceField(label=_("Member of staff"), queryset=None, required=False)
    volunteer_name = forms.CharField(label=_("Or a parent volunteer"), max_length=30, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=100, required=False)

    def __init__(self, *args, kindergarten, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff_users(kindergarten)


class IncidentForm(StyledForm):
    kind = forms.ChoiceField(label=_("What happened"), choices=IncidentKind.choices)
    occurred_at = forms.DateTimeField(label=_("When"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    location = forms.CharField(label=_("Where"), max_length=100)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    actions = forms.CharField(label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(StyledForm):
    period = forms.ChoiceField(label=_("Period"), choices=ReportPeriod.choices)
    day = forms.DateField(label=_("A day in the week or month"), widget=DATE)


class SignForm(StyledForm):
    remarks = forms.CharField(label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CustodyForm(StyledForm):
    """File a custody restriction (不得接走). `children`: those the actor may file for (a parent's own)."""

    child = forms.ModelChoiceField(label=_("Child"), queryset=None, empty_label=None)
    person_name = forms.CharField(label=_("Full name of the person who must not collect the child"), max_length=30)
    id_number = forms.CharField(label=_("Their identity card number"), max_length=18, required=False)
    photo = forms.FileField(label=_("Their photo"), required=False, widget=PHOTO)
    document_kind = forms.ChoiceField(label=_("Document"), choices=CustodyDocument.choices)
    document = forms.FileField(label=_("Scan or photo of the document"), required=False,
                               widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT_DOCUMENTS}))
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_until = forms.DateField(label=_("Valid until (empty: until voided)"), widget=DATE, required=False)
    reason = forms.CharField(label=_("Reason (seen only by the principal and the class teacher)"), max_length=200,
                             required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children


class VoidForm(StyledForm):
    reason = forms.CharField(label=_("Reason for voiding"), max_length=200)


# --- injuries told to parents (safety/injuries.py) ---------------------------------------------


class ChildChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.school_class.name}" if obj.school_class_id else obj.name


class InjuryForm(StyledForm):
    child = ChildChoiceField(label=_("Child"), queryset=None, to_field_name="code")
    occurred_at = forms.DateTimeField(label=_("When"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"],
                                      required=False)
    location = forms.CharField(label=_("Where"), max_length=100)
    description = forms.CharField(label=_("What happened"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    first_aid = forms.CharField(label=_("First aid given"), max_length=1000, required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    witnesses = forms.CharField(label=_("Who saw it"), max_length=200, required=False)
    doctor_needed = forms.BooleanField(label=_("A doctor was needed"), required=False)
    severity = forms.ChoiceField(label=_("How serious"), choices=[], initial="minor")

    def __init__(self, *args, children, **kwargs):
        from houqin.safety.models import InjurySeverity

        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children
        self.fields["severity"].choices = InjurySeverity.choices


class InjuryAnswerForm(StyledForm):
    words = forms.CharField(label=_("In your own words (needed if you see it differently)"), max_length=1000,
                            required=False, widget=forms.Textarea(attrs={"rows": 3}))


# --- staggered arrival and dismissal, safety education (dismissal_views.py, education_views.py) ---

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class GateSlotForm(StyledForm):
    kind = forms.ChoiceField(label=_("Arrival or dismissal"), choices=[])
    school_class = ClassChoiceField(label=_("Class"), queryset=None, to_field_name="code", required=False)
    grade = forms.ChoiceField(label=_("Or a whole grade"), choices=[], required=False)
    campus = forms.ModelChoiceField(label=_("Campus of the grade"), queryset=None, to_field_name="code",
                                    required=False)
    gate = forms.CharField(label=_("Gate"), max_length=30)
    start = forms.TimeField(label=_("From"), widget=TIME)
    end = forms.TimeField(label=_("To"), widget=TIME)
    valid_from = forms.DateField(label=_("First day"), widget=DATE)
    valid_until = forms.DateField(label=_("Last day (empty: until changed)"), widget=DATE, required=False)
    note = forms.CharField(label=_("Note for the parents"), max_length=100, required=False)
    announce = forms.BooleanField(label=_("Tell the parents of these classes in a notice"), required=False,
                                  initial=True)

    def __init__(self, *args, classes, campuses, **kwargs):
        from houqin.org.models import Grade
        from houqin.safety.models import SlotKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = SlotKind.choices
        self.fields["grade"].choices = [("", "—"), *Grade.choices]
        self.fields["school_class"].queryset = classes
        self.fields["campus"].queryset = campuses


class GateSlotChangeForm(StyledForm):
    gate = forms.CharField(label=_("Gate"), max_length=30)
    start = forms.TimeField(label=_("From"), widget=TIME)
    end = forms.TimeField(label=_("To"), widget=TIME)
    valid_from = forms.DateField(label=_("First day"), widget=DATE)
    valid_until = forms.DateField(label=_("Last day (empty: until changed)"), widget=DATE, required=False)
    note = forms.CharField(label=_("Note for the parents"), max_length=100, required=False)
    announce = forms.BooleanField(label=_("Tell the parents of these classes in a notice"), required=False,
                                  initial=True)


class LessonForm(StyledForm):
    audience = forms.ChoiceField(label=_("For"), choices=[])
    topic = forms.ChoiceField(label=_("Topic"), choices=[])
    title = forms.CharField(label=_("Title"), max_length=100)
    form = forms.ChoiceField(label=_("Form"), choices=[])
    school_class = ClassChoiceField(label=_("Class"), queryset=None, to_field_name="code", required=False)
    planned_on = forms.DateField(label=_("Planned for"), widget=DATE)

    def __init__(self, *args, classes, **kwargs):
        from houqin.safety.models import EducationAudience, EducationForm, EducationTopic

        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = EducationAudience.choices
        self.fields["topic"].choices = EducationTopic.choices
        self.fields["form"].choices = EducationForm.choices
        self.fields["school_class"].queryset = classes


class LessonHeldForm(StyledForm):
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    participants = forms.IntegerField(label=_("People taking part"), min_value=0, max_value=5000, required=False)
    summary = forms.CharField(label=_("What was taught (for a letter: the letter)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
