from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.core import files
from houqin.core.forms import StaffChoiceField, StyledForm
from houqin.finance.models import (
    MONEY,
    EventKind,
    NeedKind,
    QUANTITY,
    BudgetCategory,
    FeePaymentMethod,
    FeeUnit,
    FixedBy,
    MeterKind,
    PaymentMethod,
    Term,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def money_field(label, required=True, **kwargs):
    return forms.DecimalField(label=label, required=required, min_value=0, **MONEY,
                              widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}), **kwargs)


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class PurchaseRequestForm(StyledForm):
    title = forms.CharField(label=_("what"), max_length=100)
    reason = forms.CharField(label=_("why it is needed"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    category = CategoryChoiceField(label=_("budget category"), queryset=BudgetCategory.objects.none())
    budget_year = forms.IntegerField(label=_("budget year"), min_value=2000, max_value=2100)
    needed_by = forms.DateField(label=_("needed by"), widget=DateInput(), required=False)
    supplier = forms.ModelChoiceField(label=_("supplier on file"), queryset=None, required=False)
    supplier_name = forms.CharField(label=_("or another supplier"), max_length=100, required=False)

    def __init__(self, *args, categories=None, suppliers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if categories is not None:
            self.fields["category"].queryset = categories
        if suppliers is not None and suppliers.exists():
            self.fields["supplier"].queryset = suppliers
        else:
            del self.fields["supplier"]
        self.fields["budget_year"].initial = self.fields["budget_year"].initial or timezone.localdate().year


class LineForm(StyledForm):
    """One line of a purchase request; blank lines are ignored (the service checks the others)."""

    description = forms.CharField(label=_("description"), max_length=100, required=False)
    quantity = forms.DecimalField(label=_("quantity"), required=False, min_value=0, **QUANTITY,
                                  widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    unit = forms.CharField(label=_("unit"), max_length=10, required=False)
    unit_price = money_field(_("estimated unit price"), required=False)
    stock_item = forms.CharField(required=False, widget=forms.HiddenInput())


LineFormSet = forms.formset_factory(LineForm, extra=0, max_num=50, absolute_max=50)


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class VoidForm(StyledForm):
    reason = forms.CharField(label=_("reason for voiding"), max_length=200)


class RepairRequestForm(StyledForm):
    title = forms.CharField(label=_("what is broken"), max_length=100)
    location = forms.CharField(label=_("where"), max_length=100)
    campus = forms.ModelChoiceField(label=_("campus"), queryset=None, required=False)
    reason = forms.CharField(label=_("describe the fault"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    category = CategoryChoiceField(label=_("budget category"), queryset=BudgetCategory.objects.none())
    estimated_cost = money_field(_("estimated cost"), required=False)
    budget_year = forms.IntegerField(label=_("budget year"), min_value=2000, max_value=2100)

    def __init__(self, *args, categories=None, campuses=None, **kwargs):
        super().__init__(*args, **kwargs)
        if categories is not None:
            self.fields["category"].queryset = categories
        if campuses is not None and len(campuses) > 1:
            self.fields["campus"].queryset = campuses
        else:
            del self.fields["campus"]
        self.fields["budget_year"].initial = self.fields["budget_year"].initial or timezone.localdate().year


class RepairStartForm(StyledForm):
    fixed_by = forms.ChoiceField(label=_("repaired by"), choices=FixedBy.choices, widget=forms.RadioSelect)
    fixer_name = forms.CharField(label=_("repairer or contractor"), max_length=100)


class RepairDoneForm(RepairStartForm):
    actual_cost = money_field(_("actual cost"))
    repaired_on = forms.DateField(label=_("repaired on"), widget=DateInput())
    asset_returned_on = forms.DateField(label=_("back in use on"), widget=DateInput(), required=False)
    notes = forms.CharField(label=_("repair notes"), max_length=200, required=False)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's FileField takes one)."""

    def __init__(self, *args, attrs=None, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs or {}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


RECEIPT_ACCEPT = files.ACCEPT_DOCUMENTS


class ReceiptFields(StyledForm):
    photo = MultipleFileField(
        label=_("take a photo of the receipt"),
        attrs={"accept": RECEIPT_ACCEPT, "capture": "environment"},
        help_text=files.limits_text(files.DOCUMENTS),
    )
    receipts = MultipleFileField(label=_("or choose photos or scans"), attrs={"accept": RECEIPT_ACCEPT, "multiple": True})

    def uploads(self) -> list:
        return [*self.cleaned_data.get("photo", []), *self.cleaned_data.get("receipts", [])]


class ExpenseForm(ReceiptFields):
    title = forms.CharField(label=_("what was bought or paid for"), max_length=100)
    amount = money_field(_("amount"))
    category = CategoryChoiceField(label=_("budget category"), queryset=BudgetCategory.objects.none())
    spent_on = forms.DateField(label=_("date on the receipt"), widget=DateInput())
    payee = forms.CharField(label=_("paid to"), max_length=100)
    description = forms.CharField(label=_("details"), max_length=500, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    handler = StaffChoiceField(label=_("handler (who spent the money)"), queryset=None, required=False,
                               help_text=_("Leave empty if it was you."))
    purchase_request = forms.ModelChoiceField(label=_("for purchase request"), queryset=None, required=False)
    repair_request = forms.ModelChoiceField(label=_("for repair request"), queryset=None, required=False)

    field_order = ["photo", "receipts", "title", "amount", "category", "spent_on", "payee", "description", "handler",
                   "purchase_request", "repair_request"]

    def __init__(self, *args, categories=None, handlers=None, purchases=None, repairs=None, with_receipts=True,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["handler"].queryset = handlers
        for name, qs in (("purchase_request", purchases), ("repair_request", repairs)):
            if qs is None:
                del self.fields[name]
            else:
                self.fields[name].queryset = qs
                self.fields[name].label_from_instance = lambda r: f"{r.number} {r.title}"
        if not with_receipts:
            del self.fields["photo"]
            del self.fields["receipts"]

    def clean(self):
        data = super().clean()
        if "photo" in self.fields and not self.uploads():
            self.add_error("photo", _("Add a photo or scan of the receipt: nothing is paid without a receipt."))
        return data


class ReceiptForm(ReceiptFields):
    def clean(self):
        data = super().clean()
        if not self.uploads():
            self.add_error("photo", _("Choose a file."))
        return data


class PayForm(StyledForm):
    paid_on = forms.DateField(label=_("paid on"), widget=DateInput())
    method = forms.ChoiceField(label=_("payment method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("payment reference"), max_length=60, required=False)


class CategoryForm(StyledForm):
    name = forms.CharField(label=_("new category"), max_length=30)
    is_food = forms.BooleanField(label=_("food"), required=False)


class BudgetForm(StyledForm):
    """One amount per budget category of the year."""

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        for row in self.rows:
            name = f"c_{row.category.code.hex}"
            self.fields[name] = money_field(row.category.name, required=False, initial=row.budget)
            self.fields[name].widget.attrs.update({"class": "form-control form-control-sm text-end"})
            row.field = self[name]

    def amounts(self):
        for row in self.rows:
            yield row, self.cleaned_data.get(f"c_{row.category.code.hex}")


class SettingsForm(StyledForm):
    approval_threshold = money_field(_("principal's approval from"))
    food_in_budget = forms.BooleanField(label=_("food purchases in the kindergarten budget"), required=False)


class FeeStandardForm(StyledForm):
    school_year = forms.IntegerField(label=_("school year"), min_value=2000, max_value=2100,
                                     help_text=_("The year the school year starts, e.g. 2026 for 2026–2027."))
    term = forms.ChoiceField(label=_("term"), choices=Term.choices)
    item = forms.CharField(label=_("fee item"), max_length=40)
    amount = money_field(_("amount"))
    unit = forms.ChoiceField(label=_("unit"), choices=FeeUnit.choices)
    basis = forms.CharField(label=_("basis (approving document)"), max_length=200, required=False)
    notes = forms.CharField(label=_("notes"), max_length=200, required=False)
    sort_order = forms.IntegerField(label=_("sort order"), min_value=0, max_value=999, required=False)


# --- energy and water (finance/utilities.py) ------------------------------------------------------


class MeterForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=MeterKind.choices)


class MeterReadingForm(StyledForm):
    month = forms.DateField(label=_("Month (any day of it)"), widget=forms.DateInput(attrs={"type": "date"}),
                            required=False)
    reading = forms.CharField(label=_("Reading on the meter"), max_length=20, required=False,
                              widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    meter_changed = forms.BooleanField(label=_("The meter was changed this month"), required=False)
    old_meter_final = forms.CharField(label=_("Old meter's final reading"), max_length=20, required=False,
                                      widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    note = forms.CharField(label=_("Note (e.g. a saving measure)"), max_length=200, required=False)


class BillPaymentForm(StyledForm):
    """A payment of a fee bill as the accountant records it (the amount is read by the service)."""

    amount = forms.CharField(label=_("amount paid (yuan)"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    paid_on = forms.DateField(label=_("paid on"), widget=DateInput())
    method = forms.ChoiceField(label=_("payment method"), choices=FeePaymentMethod.choices)
    reference = forms.CharField(label=_("payment reference"), max_length=60, required=False)


class BillVoidForm(StyledForm):
    reason = forms.CharField(label=_("reason for voiding"), max_length=200)
    reissue = forms.BooleanField(label=_("issue a new bill at once (from today's register)"), required=False,
                                 initial=True)


# --- big events (finance/events.py) ---------------------------------------------------------------


class EventForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=60, required=False)
    children = forms.IntegerField(label=_("Children taking part"), min_value=0, required=False)
    guests = forms.IntegerField(label=_("Parents and guests"), min_value=0, required=False)
    lead = StaffChoiceField(label=_("Led by"), queryset=None)
    budget = forms.CharField(label=_("Budget (yuan)"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = staff


class EventNeedForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=NeedKind.choices)
    item = forms.CharField(label=_("What is needed"), max_length=100)
    quantity = forms.CharField(label=_("Quantity"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    unit = forms.CharField(label=_("Unit"), max_length=10)
    to_buy = forms.BooleanField(label=_("To be bought"), required=False, initial=True)
    unit_price = forms.CharField(label=_("Estimated unit price (yuan)"), max_length=20, required=False,
                                 widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    responsible = forms.CharField(label=_("Who sees to it"), max_length=30, required=False)
