"""Forms of the food-safety pages: parse only; the rules are in services."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from houqin.core import files
from houqin.core.forms import StyledForm
from houqin.foodsafety.models import CertificateKind, DisinfectionMethod, PestKind, WaterTester, WaterUnitKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReceiptForm(StyledForm):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=None, required=False)
    warehouse = forms.ModelChoiceField(label=_("Food store"), queryset=None)
    received_on = forms.DateField(label=_("Date of receipt"), widget=DATE)
    invoice_photo = forms.FileField(label=_("Invoice photo"), required=False,
                                    widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT_IMAGES, "capture": "environment"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    override_reason = forms.CharField(label=_("Reason to accept despite the certificates (director)"),
                                      max_length=200, required=False)

    def __init__(self, *args, suppliers, warehouses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers
        self.fields["warehouse"].queryset = warehouses


class ReceiptLineForm(StyledForm):
    item = forms.ModelChoiceField(label=_("Food"), queryset=None, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), required=False, decimal_places=3, max_digits=12,
                                  widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    unit_price = forms.DecimalField(label=_("Unit price (yuan)"), required=False, decimal_places=4, max_digits=12,
                                    widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    production_date = forms.DateField(label=_("Production date"), required=False, widget=DATE)
    shelf_life_days = forms.IntegerField(label=_("Shelf life (days)"), required=False, min_value=1)
    expiry_date = forms.DateField(label=_("Expiry date"), required=False, widget=DATE)
    batch_no = forms.CharField(label=_("Batch number"), max_length=40, required=False)
    look_ok = forms.BooleanField(label=_("Look: normal"), required=False, initial=True)
    touch_ok = forms.BooleanField(label=_("Touch: normal"), required=False, initial=True)
    smell_ok = forms.BooleanField(label=_("Smell: normal"), required=False, initial=True)
    is_chilled = forms.BooleanField(label=_("Chilled food"), required=False)
    temperature = forms.DecimalField(label=_("Temperature (°C)"), required=False, decimal_places=1, max_digits=4,
                                     widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    accepted = forms.TypedChoiceField(label=_("Verdict"), choices=[("1", _("Accept")), ("0", _("Reject"))],
                                      initial="1", coerce=lambda v: v == "1", widget=forms.RadioSelect)
    reject_reason = forms.CharField(label=_("Reason for rejecting"), max_length=200, required=False)
    to_kitchen = forms.BooleanField(label=_("Straight to the kitchen (same-day fresh food)"), required=False)

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


ReceiptLineFormSet = forms.formset_factory(ReceiptLineForm, extra=3, max_num=40)


class CertificateForm(StyledForm):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=CertificateKind.choices)
    number = forms.CharField(label=_("Number"), max_length=60)
    product = forms.CharField(label=_("Product (inspection reports)"), max_length=60, required=False)
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE)
    scan = forms.FileField(label=_("Scan (image or PDF)"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT_DOCUMENTS}))

    def __init__(self, *args, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers


class SampleForm(StyledForm):
    dish = forms.ChoiceField(label=_("Dish"))
    weight_grams = forms.DecimalField(label=_("Weight (g)"), decimal_places=1, max_digits=6,
                                      widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    fridge = forms.CharField(label=_("Fridge"), max_length=30)
    fridge_temperature = forms.DecimalField(label=_("Fridge temperature (°C)"), required=False, decimal_places=1,
                                            max_digits=4, widget=forms.TextInput(attrs={"inputmode": "decimal"}))

    def __init__(self, *args, dishes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dish"].choices = [(f"{d['meal']}|{d['dish_code']}", f"{d['meal_label']} · {d['dish_name']}")
                                       for d in dishes]


class TablewareForm(StyledForm):
    meal = forms.ChoiceField(label=_("Meal"))
    method = forms.ChoiceField(label=_("Method"), choices=DisinfectionMethod.choices)
    minutes = forms.IntegerField(label=pgettext_lazy("duration", "Minutes"), min_value=1, max_value=600)
    temperature = forms.DecimalField(label=_("Temperature (°C)"), required=False, decimal_places=1, max_digits=4)
    chlorine_mg_l = forms.DecimalField(label=_("Chlorine test-strip reading (mg/L)"), required=False,
                                       decimal_places=1, max_digits=5,
                                       help_text=_("For a chlorine solution: dip a test strip and read it."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, meals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meal"].choices = meals


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class DisposeForm(StyledForm):
    quantity = forms.DecimalField(label=_("Quantity"), decimal_places=3, max_digits=12)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    witness = forms.ModelChoiceField(label=_("Witness"), queryset=None)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["witness"].queryset = people


class SettingsForm(StyledForm):
    allow_certificate_override = forms.BooleanField(
        label=_("The director may accept goods from a supplier with an expired certificate (with a reason)"),
        required=False)
    samples_due_by = forms.TimeField(label=_("Samples of the day recorded by"),
                                     widget=forms.TimeInput(attrs={"type": "time"}))


class HygieneItemForm(StyledForm):
    area = forms.CharField(label=_("Area"), max_length=20, required=False)
    text = forms.CharField(label=_("Check"), max_length=120)


TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
KG = forms.TextInput(attrs={"inputmode": "decimal"})
COUNT = forms.TextInput(attrs={"inputmode": "numeric"})


class ProductionForm(StyledForm):
    """Parse only: weights stay text to the service (core.numbers reads them exactly)."""

    dish_code = forms.ChoiceField(label=_("Dish"))
    planned_portions = forms.CharField(label=_("Portions planned"), widget=COUNT)
    served_portions = forms.CharField(label=_("Children served"), widget=COUNT)
    cooked_kg = forms.CharField(label=_("Cooked (kg)"), widget=KG)
    served_kg = forms.CharField(label=_("Served (kg)"), widget=KG)
    leftover_kg = forms.CharField(label=_("Left in the kitchen (kg)"), widget=KG)
    plate_waste_kg = forms.CharField(label=_("Left on the plates (kg)"), widget=KG,
                                     help_text=_("Weigh what comes back on the trays."))
    cooked_at = forms.TimeField(label=_("Cooked at"), widget=TIME)
    served_at = forms.TimeField(label=_("Served at"), widget=TIME)
    cooked_by = forms.ModelChoiceField(label=_("Cooked by"), queryset=None, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, dishes, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dish_code"].choices = [(f"{d['meal']}|{d['dish_code']}", f"{d['meal_label']} · {d['dish_name']}")
                                            for d in dishes]
        self.fields["cooked_by"].queryset = people


class AccompanyForm(StyledForm):
    meal = forms.ChoiceField(label=_("Meal"))
    place = forms.CharField(label=_("With which class"), max_length=40)
    remarks = forms.CharField(label=_("What you found"), max_length=500, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Taste, temperature, amount, how the children ate."))
    problems = forms.CharField(label=_("Problems to put right"), max_length=300, required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, meals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meal"].choices = meals


# --- pest control and drinking water (logs.py) ------------------------------------------------------


class PestForm(StyledForm):
    """Parse only: the rules (a place, a method, signs found need the action …) are in logs.py."""

    done_on = forms.DateField(label=_("Date"), widget=DATE)
    place = forms.CharField(label=pgettext_lazy("location", "Place"), max_length=40, required=False,
                            widget=forms.TextInput(attrs={"list": "pest-places"}))
    kind = forms.ChoiceField(label=_("Against"), choices=PestKind.choices)
    method = forms.CharField(label=_("Method or device"), max_length=60, required=False,
                             widget=forms.TextInput(attrs={"list": "pest-methods"}))
    signs_found = forms.BooleanField(label=_("Signs of pests found"), required=False)
    findings = forms.CharField(label=_("What was found"), max_length=200, required=False,
                               help_text=_("Droppings, gnawing, live insects, dead rodents …"))
    action = forms.CharField(label=_("Action taken"), max_length=200, required=False)
    contractor = forms.CharField(label=_("Pest-control contractor"), max_length=60, required=False,
                                 help_text=_("Leave empty when your own staff did it."))
    contractor_licence = forms.CharField(label=_("Contractor's licence number"), max_length=60, required=False)


class WaterUnitForm(StyledForm):
    place = forms.CharField(label=pgettext_lazy("location", "Place"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=WaterUnitKind.choices)
    filter_model = forms.CharField(label=_("Filter model"), max_length=60, required=False)


class FilterChangeForm(StyledForm):
    unit = forms.ModelChoiceField(label=_("Drinking-water unit"), queryset=None, required=False)
    changed_on = forms.DateField(label=_("Changed on"), widget=DATE)
    changed_by = forms.CharField(label=_("Changed by"), max_length=60, required=False,
                                 help_text=_("Your name if empty; the company's if a supplier changed it."))
    filter_model = forms.CharField(label=_("Filter model"), max_length=60, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class WaterTestForm(StyledForm):
    unit = forms.ModelChoiceField(label=_("Drinking-water unit"), queryset=None, required=False)
    tested_on = forms.DateField(label=_("Tested on"), widget=DATE)
    tester = forms.ChoiceField(label=_("Tested by"), choices=WaterTester.choices, widget=forms.RadioSelect)
    lab = forms.CharField(label=_("Laboratory"), max_length=60, required=False)
    passed = forms.ChoiceField(label=pgettext_lazy("water test", "Result"),
                               choices=[("1", _("Passed")), ("0", _("Failed"))], widget=forms.RadioSelect)
    result = forms.CharField(label=_("What failed, or the figures"), max_length=200, required=False)
    report = forms.FileField(label=_("Report (image or PDF)"), required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT_DOCUMENTS}))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
