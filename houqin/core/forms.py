from django import forms
from django.core.exceptions import ValidationError

from houqin.core import inputs


# The value formats of the HTML5 pickers: the locale's formats (zh-hans: 2026/11/28) would leave them empty.
HTML5_FORMATS = {"date": "%Y-%m-%d", "datetime-local": "%Y-%m-%dT%H:%M", "time": "%H:%M"}


def _rule(check, **kwargs):
    def validate(value):
        problem = check(value, **kwargs) if value not in (None, "") else None
        if problem:
            raise ValidationError(problem, code="houqin_input")

    return validate


def add_input_rules(form) -> None:
    """The rules of core.inputs on every field of `form`: text (names by the field's name), dates
    within range, finite and bounded numbers."""
    for name, field in form.fields.items():
        if isinstance(field, forms.CharField):
            rule = _rule(inputs.text_problem, name=inputs.is_name_field(name))
        elif isinstance(field, (forms.DateField, forms.DateTimeField)):
            rule = _rule(inputs.date_problem)
        elif isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
            rule = _rule(inputs.number_problem)
        else:
            continue
        field.validators = [*field.validators, rule]


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap's classes, so templates can render fields plainly, and
    whose fields follow the input rules of core.inputs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_input_rules(self)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            html5_format = HTML5_FORMATS.get(getattr(widget, "input_type", ""))
            if html5_format and isinstance(widget, (forms.DateInput, forms.DateTimeInput, forms.TimeInput)):
                widget.format = html5_format  # the browser's picker reads ISO values, never 2026/11/28
