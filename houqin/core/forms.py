from django import forms


# The value formats of the HTML5 pickers: the locale's formats (zh-hans: 2026/11/28) would leave them empty.
HTML5_FORMATS = {"date": "%Y-%m-%d", "datetime-local": "%Y-%m-%dT%H:%M", "time": "%H:%M"}


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap's classes, so templates can render fields plainly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
