from django import forms
from django.utils.translation import gettext_lazy as _

from houqin.core.forms import StyledForm


class TermForm(StyledForm):
    name = forms.CharField(label=_("name"), max_length=40)
    start = forms.DateField(label=_("first day"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("last day"), widget=forms.DateInput(attrs={"type": "date"}))


class SummaryEditForm(StyledForm):
    """One textarea per section of the version being edited, plus the version it is based on."""

    title = forms.CharField(label=_("title"), max_length=100)
    based_on = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("what changed (optional)"), max_length=200, required=False)

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        for section in sections:
            self.fields[f"s_{section['key']}"] = forms.CharField(
                label=section["heading"], required=False, max_length=20000,
                widget=forms.Textarea(attrs={"rows": 8, "class": "form-control hq-summary-text"}),
                initial=section["text"],
            )
        self.section_keys = [s["key"] for s in sections]

    def texts(self) -> dict:
        return {key: self.cleaned_data.get(f"s_{key}", "") for key in self.section_keys}
