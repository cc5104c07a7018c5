from django import forms
from django.utils.translation import gettext_lazy as _

from houqin.core.forms import StyledForm
from houqin.notices.models import Audience, NoticeKind


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
