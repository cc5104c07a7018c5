from django import forms
from django.utils.translation import gettext_lazy as _

from houqin.core.forms import StyledForm
from houqin.notices.models import Audience, Channel, NoticeKind


class NoticeForm(StyledForm):
    kind = forms.ChoiceField(label=_("kind"), choices=NoticeKind.choices)
    audience = forms.ChoiceField(label=_("audience"), choices=Audience.choices, initial=Audience.PARENTS)
    title = forms.CharField(label=_("title"), max_length=120)
    body = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 8}))
    classes = forms.ModelMultipleChoiceField(
        label=_("classes"), queryset=None, required=False,
        help_text=_("Leave empty to write to all parents."), widget=forms.CheckboxSelectMultiple,
    )
    publish = forms.BooleanField(label=_("Publish now"), required=False, initial=True)

    def __init__(self, *args, classes_qs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classes"].queryset = classes_qs
        self.fields["classes"].widget.attrs["class"] = "hq-checklist"


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("reason"), max_length=200)


class PreferencesForm(StyledForm):
    channels = forms.MultipleChoiceField(label=_("Also send to me by"), required=False,
                                         widget=forms.CheckboxSelectMultiple,
                                         help_text=_("Messages always appear in the app."))
    email = forms.CharField(label=_("e-mail address"), max_length=254, required=False)
    phone = forms.CharField(label=_("mobile number"), max_length=20, required=False)
    quiet_start = forms.TimeField(label=_("quiet hours from"), widget=forms.TimeInput(attrs={"type": "time"}))
    quiet_end = forms.TimeField(label=_("quiet hours until"), widget=forms.TimeInput(attrs={"type": "time"}),
                                help_text=_("In quiet hours only urgent health alerts (fever, outbreak) are sent."))

    def __init__(self, *args, offered, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Channel.choices)
        self.fields["channels"].choices = [(c, labels[c]) for c in offered]
        self.fields["channels"].widget.attrs["class"] = "hq-checklist"
