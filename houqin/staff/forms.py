"""Forms of the staff pages: parse and show; the rules are in services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.core import files
from houqin.core.forms import StaffChoiceField, StaffMultipleChoiceField, StyledForm
from houqin.staff.models import RaterKind, TrainedMistakeRule, TrainingCategory

DATE = forms.DateInput(attrs={"type": "date"})


class SettingsForm(StyledForm):
    base_points = forms.DecimalField(label=_("base points"), max_digits=7, decimal_places=2)
    base_bonus = forms.DecimalField(label=_("monthly bonus at full points (yuan)"), max_digits=12, decimal_places=2)
    bonus_source = forms.CharField(label=_("source of the bonus rule"), max_length=120, required=False)
    trained_rule = forms.ChoiceField(label=_("a mistake one was trained on"), choices=TrainedMistakeRule.choices)
    trained_multiplier = forms.DecimalField(label=_("multiplier for a mistake one was trained on"), max_digits=4,
                                            decimal_places=2)
    trained_source = forms.CharField(label=_("source of the trained-mistake rule"), max_length=120, required=False)
    weight_parents = forms.DecimalField(label=_("weight of parents' ratings"), max_digits=4, decimal_places=2)
    weight_teachers = forms.DecimalField(label=_("weight of class teachers' ratings"), max_digits=4, decimal_places=2)
    weight_peers = forms.DecimalField(label=_("weight of nursery peers' ratings"), max_digits=4, decimal_places=2)
    rating_source = forms.CharField(label=_("source of the rating weights"), max_length=120, required=False)
    certificate_warning_days = forms.IntegerField(label=_("certificate warning (days)"), min_value=1, max_value=180)
    certificate_valid_months = forms.IntegerField(label=_("health certificate valid for (months)"), min_value=1,
                                                  max_value=36)


class PostForm(StyledForm):
    name = forms.CharField(label=_("name"), max_length=40)
    base_bonus = forms.DecimalField(label=_("monthly bonus at full points (yuan)"), required=False, max_digits=12,
                                    decimal_places=2, help_text=_("Leave empty to use the kindergarten's amount."))
    handles_food_or_children = forms.BooleanField(label=_("needs a health certificate"), required=False, initial=True)
    sort_order = forms.IntegerField(label=_("order"), min_value=0, max_value=999, initial=0)
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)


class ItemForm(StyledForm):
    name = forms.CharField(label=_("item"), max_length=100)
    points = forms.DecimalField(label=_("points deducted per mistake"), max_digits=7, decimal_places=2)
    topic = forms.ModelChoiceField(label=_("training topic"), queryset=None, required=False,
                                   help_text=_("A mistake on this item by someone trained on this topic before counts "
                                               "the kindergarten's multiplier."))
    finding_kind = forms.ChoiceField(label=_("counted automatically from"), required=False)
    sort_order = forms.IntegerField(label=_("order"), min_value=0, max_value=999, initial=0)
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(self, *args, topics, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics
        self.fields["finding_kind"].choices = [("", "—"), *sorted(kinds.items(), key=lambda kv: kv[0])]


class AssignForm(StyledForm):
    user = StaffChoiceField(label=_("staff member"), queryset=None)
    started_on = forms.DateField(label=_("from"), widget=DATE)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        self.fields["started_on"].initial = timezone.localdate()


class TopicForm(StyledForm):
    name = forms.CharField(label=_("topic"), max_length=60)
    category = forms.ChoiceField(label=_("category"), choices=TrainingCategory.choices)


class DeductionForm(StyledForm):
    item = forms.ModelChoiceField(label=_("item"), queryset=None)
    date = forms.DateField(label=_("date of the mistake"), widget=DATE)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda i: f"{i.name}（−{i.points.normalize():f}）"


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("reason"), max_length=200)


class TrainingForm(StyledForm):
    topic = forms.ModelChoiceField(label=_("topic"), queryset=None)
    title = forms.CharField(label=_("title"), max_length=100, required=False)
    date = forms.DateField(label=_("date"), widget=DATE)
    trainer = forms.CharField(label=_("trainer"), max_length=50)
    location = forms.CharField(label=_("place"), max_length=60, required=False)
    hours = forms.DecimalField(label=_("hours"), max_digits=4, decimal_places=1, initial=1)
    content = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    attendees = StaffMultipleChoiceField(label=_("attendees"), queryset=None, required=False,
                            widget=forms.SelectMultiple(attrs={"size": 8}))
    has_test = forms.BooleanField(label=_("with a test"), required=False)
    pass_score = forms.DecimalField(label=_("pass score"), max_digits=5, decimal_places=2, initial=60)
    material = forms.FileField(label=_("material"), required=False, help_text=files.limits_text(files.DOCUMENTS),
                               widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT_DOCUMENTS}))

    def __init__(self, *args, topics, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics
        self.fields["attendees"].queryset = users
        self.fields["date"].initial = timezone.localdate()


class MeetingForm(StyledForm):
    date = forms.DateField(label=_("date"), widget=DATE)
    title = forms.CharField(label=_("title"), max_length=100)
    agenda = forms.CharField(label=_("agenda"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    minutes = forms.CharField(label=_("minutes"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    decisions = forms.CharField(label=_("decisions"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    attendees = StaffMultipleChoiceField(label=_("attendees"), queryset=None, required=False,
                            widget=forms.SelectMultiple(attrs={"size": 8}))

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = users
        self.fields["date"].initial = timezone.localdate()


class ActionForm(StyledForm):
    description = forms.CharField(label=_("action"), max_length=200)
    owner = StaffChoiceField(label=_("owner"), queryset=None)
    due_date = forms.DateField(label=_("due date"), widget=DATE)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = users


class CertificateForm(StyledForm):
    user = StaffChoiceField(label=_("staff member"), queryset=None)
    number = forms.CharField(label=_("certificate number"), max_length=40, required=False)
    issuer = forms.CharField(label=_("issued by"), max_length=60, required=False)
    issued_on = forms.DateField(label=_("issued on"), widget=DATE)
    expires_on = forms.DateField(label=_("valid until"), widget=DATE, required=False,
                                 help_text=_("Leave empty to use the kindergarten's validity period."))
    scan = forms.FileField(label=_("scan"), required=False, help_text=files.limits_text(files.DOCUMENTS),
                           widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT_DOCUMENTS,
                                                                  "capture": "environment"}))

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


class RoundForm(StyledForm):
    title = forms.CharField(label=_("title"), max_length=60)
    starts_on = forms.DateField(label=_("from"), widget=DATE)
    ends_on = forms.DateField(label=_("until"), widget=DATE)
    notify_parents = forms.BooleanField(label=_("send a notice to parents"), required=False, initial=True)


class RatingForm(StyledForm):
    stars = forms.TypedChoiceField(label=_("stars"), coerce=int, choices=[(i, "★" * i) for i in range(5, 0, -1)],
                                   widget=forms.RadioSelect)
    comment = forms.CharField(label=_("comment"), max_length=200, required=False)


class StepForm(StyledForm):
    time_label = forms.CharField(label=_("time"), max_length=20, required=False)
    title = forms.CharField(label=_("step"), max_length=60)
    description = forms.CharField(label=_("what to do"), max_length=300, required=False)
    sort_order = forms.IntegerField(label=_("order"), min_value=0, max_value=999, initial=0)
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)


RATER_LABELS = dict(RaterKind.choices)


class NapRoundForm(StyledForm):
    children_checked = forms.IntegerField(label=_("Children checked"), required=False, min_value=0, max_value=999,
                                          widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    findings = forms.MultipleChoiceField(label=_("Anything seen"), required=False,
                                         widget=forms.CheckboxSelectMultiple, choices=[])
    note = forms.CharField(label=_("Note (which child, what you did)"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        from houqin.staff.models import NapFinding

        super().__init__(*args, **kwargs)
        self.fields["findings"].choices = NapFinding.choices
