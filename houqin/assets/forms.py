from django import forms
from django.utils.translation import gettext_lazy as _

from houqin.assets.models import AssetState, Category, HandoverKind, Room, Term
from houqin.core import files
from houqin.core.forms import StaffChoiceField, StyledForm, staff_labels
from houqin.org.models import Campus, SchoolClass

PHOTO_ACCEPT = files.ACCEPT_IMAGES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def plain(number):
    """30.00 → "30", 2.50 → "2.5": how a count is typed (None stays None)."""
    if number is None:
        return None
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def quantity_field(label, *, required=True, initial=None):
    return forms.DecimalField(label=label, max_digits=10, decimal_places=2, min_value=0, required=required,
                              initial=initial, widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}))


def money_field(label, *, required=False):
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, min_value=0, required=required,
                              widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))


class UserPickField(forms.ChoiceField):
    """A member of staff out of a list read once (a form with a picker per line must not query per line)."""

    def __init__(self, *, users, **kwargs):
        labelled = staff_labels(users)
        self.users = {str(u.pk): u for u, _label in labelled}
        choices = [("", "---------")] + [(str(u.pk), label) for u, label in labelled]
        super().__init__(choices=choices, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return self.users.get(value) if value else None


class ClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.campus.name}）"


class RoomChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.campus.name}）"


class AssetForm(StyledForm):
    name = forms.CharField(label=_("item name"), max_length=60)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    room = RoomChoiceField(label=_("room"), queryset=Room.objects.none(), required=False)
    school_class = ClassChoiceField(label=_("class"), queryset=SchoolClass.objects.none(), required=False)
    quantity = quantity_field(_("quantity"))
    unit = forms.CharField(label=_("unit"), max_length=6, required=False, help_text=_("把, 张, 台, 套, 个…"))
    unit_price = money_field(_("unit price (yuan)"))
    purchase_date = forms.DateField(label=_("purchase date"), widget=DateInput(), required=False)
    supplier_name = forms.CharField(label=_("supplier"), max_length=100, required=False)
    custodian = StaffChoiceField(label=_("custodian"), queryset=None, required=False)
    notes = forms.CharField(label=_("notes"), max_length=200, required=False)
    photo = forms.FileField(label=_("photo"), required=False,
                            help_text=files.limits_text(files.IMAGES),
                            widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}))

    def __init__(self, *args, rooms=None, classes=None, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms if rooms is not None else Room.objects.none()
        self.fields["school_class"].queryset = classes if classes is not None else SchoolClass.objects.none()
        self.fields["custodian"].queryset = staff


class StateForm(StyledForm):
    state = forms.ChoiceField(label=_("state"), choices=[(AssetState.UNDER_REPAIR, AssetState.UNDER_REPAIR.label),
                                                         (AssetState.IN_USE, AssetState.IN_USE.label)])
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("reason"), max_length=200)


class RoomForm(StyledForm):
    campus = forms.ModelChoiceField(label=_("campus"), queryset=Campus.objects.none())
    name = forms.CharField(label=_("room name"), max_length=40)
    school_class = ClassChoiceField(label=_("class"), queryset=SchoolClass.objects.none(), required=False,
                                    help_text=_("The class that uses the room, if any."))
    is_active = forms.BooleanField(label=_("in use"), required=False, initial=True)

    def __init__(self, *args, campuses=None, classes=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campus"].queryset = campuses if campuses is not None else Campus.objects.none()
        self.fields["school_class"].queryset = classes if classes is not None else SchoolClass.objects.none()
        if editing:
            del self.fields["campus"]
        else:
            del self.fields["is_active"]


class HandoverOpenForm(StyledForm):
    school_year = forms.IntegerField(label=_("school year"), min_value=2000, max_value=2100)
    term = forms.ChoiceField(label=_("term"), choices=Term.choices)
    kind = forms.ChoiceField(label=_("kind"), choices=HandoverKind.choices)
    school_class = ClassChoiceField(label=_("class"), queryset=SchoolClass.objects.none(), required=False,
                                    empty_label=_("All classes with assets"))
    due_on = forms.DateField(label=_("to be signed by"), widget=DateInput(), required=False)

    def __init__(self, *args, classes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes if classes is not None else SchoolClass.objects.none()


class StocktakeOpenForm(StyledForm):
    room = RoomChoiceField(label=_("room"), queryset=Room.objects.none(), required=False,
                           empty_label=_("The whole campus"))
    campus = forms.ModelChoiceField(label=_("campus"), queryset=Campus.objects.none(), required=False,
                                    help_text=_("Only needed to count a whole campus."))
    counted_on = forms.DateField(label=_("date"), widget=DateInput())
    notes = forms.CharField(label=_("notes"), max_length=200, required=False)

    def __init__(self, *args, rooms=None, campuses=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms if rooms is not None else Room.objects.none()
        self.fields["campus"].queryset = campuses if campuses is not None else Campus.objects.none()


class ImportForm(StyledForm):
    file = forms.FileField(label=_("file (.xlsx)"))


class _LineForm(StyledForm):
    """Fields per line of a handover or stocktake, named `<field>_<line code hex>`."""

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            for name, field in self.fields_for(line).items():
                self.fields[f"{name}_{line.code.hex}"] = field
        for field in self.fields.values():  # StyledForm styled only the fields known at __init__
            widget = field.widget
            css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else (
                "form-select" if isinstance(widget, forms.Select) else "form-control")
            if css not in widget.attrs.get("class", ""):
                widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def fields_for(self, line) -> dict:
        raise NotImplementedError

    def rows(self):
        """(line, {field name: bound field}) for the template."""
        out = []
        for line in self.lines:
            out.append((line, {name: self[f"{name}_{line.code.hex}"] for name in self.fields_for(line)}))
        return out

    def entries(self) -> list[dict]:
        """What the services take: one dict per line with the line and its cleaned values."""
        out = []
        for line in self.lines:
            entry = {"line": line}
            for name in self.fields_for(line):
                entry[self.service_names.get(name, name)] = self.cleaned_data.get(f"{name}_{line.code.hex}")
            out.append(entry)
        return out

    service_names: dict = {}


class HandoverCountForm(_LineForm):
    service_names = {"counted": "counted_quantity", "damaged": "damaged_quantity", "amount": "amount_charged"}

    def __init__(self, *args, lines=(), counting=True, assessing=False, staff=None, **kwargs):
        self.counting, self.assessing = counting, assessing
        self.staff = list(staff) if staff is not None else []
        super().__init__(*args, lines=lines, **kwargs)

    def fields_for(self, line) -> dict:
        fields = {}
        if self.counting:
            counted = line.counted_quantity if line.counted_quantity is not None else line.expected_quantity
            fields["counted"] = quantity_field(_("found"), required=False, initial=plain(counted))
            fields["damaged"] = quantity_field(_("damaged"), required=False,
                                               initial=plain(line.damaged_quantity) if line.damaged_quantity else None)
            fields["explanation"] = forms.CharField(
                label=_("explanation"), max_length=200, required=False, initial=line.explanation,
                widget=forms.TextInput(attrs={"placeholder": _("Why it differs")}))
        if self.assessing:
            fields["negligence"] = forms.BooleanField(label=_("by negligence"), required=False,
                                                      initial=line.negligence)
            fields["responsible"] = UserPickField(label=_("person responsible"), users=self.staff, required=False,
                                                  initial=str(line.responsible_id or ""))
            fields["amount"] = money_field(_("amount charged (yuan)"))
            fields["amount"].initial = line.amount_charged
        return fields


class StocktakeCountForm(_LineForm):
    service_names = {"counted": "counted_quantity"}

    def fields_for(self, line) -> dict:
        return {
            "counted": quantity_field(_("counted"), required=False, initial=plain(line.counted_quantity)),
            "explanation": forms.CharField(label=_("explanation"), max_length=200, required=False,
                                           initial=line.explanation,
                                           widget=forms.TextInput(attrs={"placeholder": _("Why it differs")})),
        }
