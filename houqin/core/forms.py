from collections import Counter

from django import forms
from django.core.exceptions import ValidationError
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

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


class QuickSelect(forms.Select):
    """Django's <select>, the same markup as its templates (django/forms/widgets/select.html with
    select_option.html and attrs.html), with the options joined in Python: the templates include one
    template per option, which a long list (the dish library of the menu's entry form) pays on every
    page. A select with option groups renders by the templates."""

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        widget = context["widget"]
        if any(group for group, _options, _index in widget["optgroups"]):
            return self._render(self.template_name, context, renderer)
        values = Context(autoescape=True)  # {{ … }} as a template writes it: localized, escaped
        options = "".join(
            f'\n  <option value="{_string(option["value"])}"{_attrs(option["attrs"])}>'
            f'{render_value_in_context(option["label"], values)}</option>\n'
            for _group, group_options, _index in widget["optgroups"] for option in group_options)
        return mark_safe(f'<select name="{render_value_in_context(widget["name"], values)}"{_attrs(widget["attrs"])}>'
                         f"{options}\n</select>")  # the renderer strips the template's last newline


def _string(value) -> str:
    """{{ value|stringformat:'s' }}: the filter keeps a safe value safe, anything else is escaped."""
    text = "%s" % (value,)
    return text if isinstance(value, SafeData) else conditional_escape(text)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    return "".join(f" {conditional_escape(name)}" + ("" if value is True else f'="{_string(value)}"')
                   for name, value in attrs.items() if value is not False)


# --- choosing a member of staff ------------------------------------------------------------------


def staff_label(user, *, same_name: bool = False) -> str:
    """How a picker names a member of staff: "张丽（保育员）", and with the user name when two people
    share the name ("张丽（保育员）· zhangli2"). The role comes from the `staff_role` the staff
    queryset annotates (org.selectors.staff_users)."""
    from houqin.core.roles import Role

    role = getattr(user, "staff_role", None)
    label = f"{user.display_name}（{Role(role).label}）" if role in Role.values else user.display_name
    return f"{label} · {user.username}" if same_name else label


def staff_labels(people) -> list[tuple[object, str]]:
    """[(person, label)] for a list of staff, namesakes told apart by their user names."""
    people = list(people)
    names = Counter(person.display_name for person in people)
    return [(person, staff_label(person, same_name=names[person.display_name] > 1)) for person in people]


class _StaffChoiceIterator(forms.models.ModelChoiceIterator):
    """Reads the people once, then labels them, so that namesakes can be told apart."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for person, label in staff_labels(self.queryset):
            yield (forms.models.ModelChoiceIteratorValue(self.field.prepare_value(person), person), label)


class StaffChoiceField(forms.ModelChoiceField):
    """A member of staff, named with their role (and user name for namesakes)."""

    iterator = _StaffChoiceIterator

    def label_from_instance(self, obj):
        return staff_label(obj)


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several members of staff, named like StaffChoiceField."""

    iterator = _StaffChoiceIterator

    def label_from_instance(self, obj):
        return staff_label(obj)
