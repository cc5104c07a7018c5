"""Forms of the storeroom's pages. They parse input only; the services hold the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from houqin.core.forms import StaffChoiceField, StyledForm
from houqin.stock.models import DISPOSALS, Category, MovementKind, WarehouseKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def number_input(**attrs):
    """A number field a phone opens with its numeric keypad; decimals allowed."""
    return forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "min": "0", **attrs})


def quantity_field(label=_("quantity"), required=True, **kwargs):
    return forms.DecimalField(label=label, required=required, widget=number_input(), **kwargs)


def _plain(quantity) -> str:
    """A quantity as a form shows it: 4, not 4.000."""
    text = f"{quantity:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _styled(field):
    """A field added after StyledForm.__init__ ran gets Bootstrap's class here."""
    field.widget.attrs["class"] = "form-control"
    return field


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} · {obj.unit}"


class ReceiveForm(StyledForm):
    item = ItemChoiceField(label=_("item"), queryset=None)
    quantity = quantity_field()
    unit_cost = forms.DecimalField(label=_("unit price (yuan)"), widget=number_input())
    warehouse = forms.ModelChoiceField(label=_("warehouse"), queryset=None)
    supplier = forms.ModelChoiceField(label=_("supplier"), queryset=None, required=False)
    production_date = forms.DateField(label=_("production date"), widget=DateInput(), required=False)
    expiry_date = forms.DateField(label=_("expiry date"), widget=DateInput(), required=False,
                                  help_text=_("Leave empty to compute it from the item's shelf life."))
    batch_no = forms.CharField(label=_("batch number"), max_length=40, required=False)
    occurred_on = forms.DateField(label=_("date received"), widget=DateInput())
    reason = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, warehouses, items, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses
        self.fields["item"].queryset = items
        self.fields["supplier"].queryset = suppliers


class IssueForm(StyledForm):
    KIND_CHOICES = [(MovementKind.ISSUE_REQUISITION.value, MovementKind.ISSUE_REQUISITION.label),
                    (MovementKind.ISSUE_KITCHEN.value, MovementKind.ISSUE_KITCHEN.label)]
    kind = forms.ChoiceField(label=_("issued for"), choices=KIND_CHOICES, widget=forms.RadioSelect)
    warehouse = forms.ModelChoiceField(label=_("warehouse"), queryset=None)
    item = ItemChoiceField(label=_("item"), queryset=None)
    quantity = quantity_field()
    school_class = forms.ModelChoiceField(label=_("class"), queryset=None, required=False)
    recipient = StaffChoiceField(label=_("recipient"), queryset=None, required=False)
    occurred_on = forms.DateField(label=_("date"), widget=DateInput())
    reason = forms.CharField(label=_("purpose"), max_length=200, required=False)

    def __init__(self, *args, warehouses, items, classes, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses
        self.fields["item"].queryset = items
        self.fields["school_class"].queryset = classes
        self.fields["recipient"].queryset = people


class KitchenIssueForm(StyledForm):
    """A day's food for the kitchen: one quantity box per food item on hand in the food store."""

    occurred_on = forms.DateField(label=_("for the meals of"), widget=DateInput())
    reason = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"q-{row['item'].code}"] = _styled(quantity_field(label=str(row["item"]), required=False))

    def quantities(self):
        """[(row, quantity)] for the boxes that were filled in."""
        return [(row, self.cleaned_data[f"q-{row['item'].code}"]) for row in self.rows
                if self.cleaned_data.get(f"q-{row['item'].code}") not in (None, "")]

    def row_fields(self):
        return [(row, self[f"q-{row['item'].code}"]) for row in self.rows]


class TransferForm(StyledForm):
    item = ItemChoiceField(label=_("item"), queryset=None)
    from_warehouse = forms.ModelChoiceField(label=_("from"), queryset=None)
    to_warehouse = forms.ModelChoiceField(label=_("to"), queryset=None)
    quantity = quantity_field()
    occurred_on = forms.DateField(label=_("date"), widget=DateInput())
    reason = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, warehouses, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["from_warehouse"].queryset = warehouses
        self.fields["to_warehouse"].queryset = warehouses


class DisposeForm(StyledForm):
    kind = forms.ChoiceField(label=_("kind"), choices=[(k.value, k.label) for k in MovementKind if k in DISPOSALS],
                             widget=forms.RadioSelect)
    quantity = quantity_field()
    reason = forms.CharField(label=_("reason"), max_length=200)
    witness = StaffChoiceField(label=_("witness"), queryset=None, required=False)
    occurred_on = forms.DateField(label=_("date"), widget=DateInput())

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["witness"].queryset = people


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("reason"), max_length=200)


class OptionalReasonForm(StyledForm):
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class ItemForm(StyledForm):
    name = forms.CharField(label=_("name"), max_length=60)
    spec = forms.CharField(label=_("specification"), max_length=60, required=False)
    unit = forms.CharField(label=_("unit"), max_length=10, widget=forms.TextInput(attrs={"list": "units"}))
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    minimum_level = forms.DecimalField(label=_("minimum level"), required=False, widget=number_input())
    shelf_life_days = forms.IntegerField(label=_("shelf life (days)"), required=False,
                                         widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "1"}))
    notes = forms.CharField(label=_("notes"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("in use"), required=False, initial=True)


class SupplierForm(StyledForm):
    name = forms.CharField(label=_("name"), max_length=100)
    contact_person = forms.CharField(label=_("contact person"), max_length=30, required=False)
    phone = forms.CharField(label=_("telephone"), max_length=30, required=False)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    notes = forms.CharField(label=_("notes"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("in use"), required=False, initial=True)


class WarehouseForm(StyledForm):
    campus = forms.ModelChoiceField(label=_("campus"), queryset=None)
    name = forms.CharField(label=_("name"), max_length=40)
    kind = forms.ChoiceField(label=_("kind"), choices=WarehouseKind.choices)

    def __init__(self, *args, campuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campus"].queryset = campuses


class SettingsForm(StyledForm):
    expiry_warning_days = forms.IntegerField(label=_("expiry warning (days)"), min_value=0, max_value=365,
                                             widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    expiry_warning_source = forms.CharField(label=_("source of the rule"), max_length=100, required=False)


class RequisitionForm(StyledForm):
    school_class = forms.ModelChoiceField(label=_("for class"), queryset=None, required=False)
    campus = forms.ModelChoiceField(label=_("campus"), queryset=None, required=False)
    purpose = forms.CharField(label=_("purpose"), max_length=200, required=False)

    def __init__(self, *args, classes, campuses, class_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes
        self.fields["school_class"].required = class_required
        if class_required or campuses.count() < 2:
            del self.fields["campus"]
        else:
            self.fields["campus"].queryset = campuses


class RequisitionLineForm(StyledForm):
    item = ItemChoiceField(label=_("item"), queryset=None, required=False, empty_label=_("Choose an item"))
    quantity = forms.DecimalField(label=_("quantity"), required=False,
                                  widget=number_input(placeholder=_("quantity")))
    note = forms.CharField(label=_("note"), max_length=100, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("note (optional)")}))

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


RequisitionLineFormSet = forms.formset_factory(RequisitionLineForm, extra=5, max_num=20)


class RequisitionIssueForm(StyledForm):
    warehouse = forms.ModelChoiceField(label=_("from warehouse"), queryset=None)
    recipient = StaffChoiceField(label=_("handed to"), queryset=None, required=False,
                                help_text=_("Leave empty when it is the person who asked."))
    occurred_on = forms.DateField(label=_("date"), widget=DateInput())

    def __init__(self, *args, warehouses, people, lines, available=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses
        self.fields["recipient"].queryset = people
        self.fields["recipient"].empty_label = _("the person who asked")
        self.lines = lines
        for line in lines:
            initial = line.quantity_outstanding
            if available is not None:  # offer what the chosen store can give
                initial = max(min(initial, available.get(line.item_id, 0)), 0)
            self.fields[f"line-{line.code}"] = _styled(quantity_field(label=str(line.item), required=False,
                                                                      initial=_plain(initial)))

    def quantities(self) -> dict:
        return {str(line.code): self.cleaned_data.get(f"line-{line.code}") or 0 for line in self.lines}

    def line_fields(self):
        return [(line, self[f"line-{line.code}"]) for line in self.lines]


class StocktakeOpenForm(StyledForm):
    warehouse = forms.ModelChoiceField(label=_("warehouse"), queryset=None)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, warehouses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses


class CountForm(StyledForm):
    counted_quantity = forms.DecimalField(label=_("counted"), widget=number_input())
    explanation = forms.CharField(label=_("explanation of the difference"), max_length=200, required=False)
