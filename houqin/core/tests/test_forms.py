"""Styled forms render HTML5 picker values in ISO format whatever the interface language."""

import datetime as dt

from django import forms
from django.utils import translation

from houqin.core.forms import StyledForm


class _Form(StyledForm):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


def test_date_pickers_get_iso_values_in_chinese():
    with translation.override("zh-hans"):
        html = str(_Form(initial={"day": dt.date(2026, 11, 28), "at": dt.datetime(2026, 11, 28, 7, 30)}))
    assert 'value="2026-11-28"' in html and 'value="2026-11-28T07:30"' in html
