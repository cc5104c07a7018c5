"""Forms of the canteen pages (parsing only: the rules are in services)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from houqin.canteen.models import CareType, DishCategory, Meal, PagodaGroup
from houqin.core.forms import QuickSelect, StyledForm
from houqin.org.models import Grade

DAYS = [(0, _("Mon")), (1, _("Tue")), (2, _("Wed")), (3, _("Thu")), (4, _("Fri")), (5, _("Sat")), (6, _("Sun"))]
INGREDIENT_ROWS = 6


class MenuCreateForm(StyledForm):
    week_start = forms.DateField(label=_("Week starting (Monday)"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=_("Days served"), min_value=1, max_value=7, initial=5)
    title = forms.CharField(label=_("Title"), max_length=60, required=False)
    cycle_week = forms.IntegerField(label=_("Week of the menu cycle"), min_value=1, max_value=8, required=False)
    copy_from = forms.ModelChoiceField(label=_("Copy the dishes of"), queryset=None, required=False,
                                       to_field_name="code", empty_label=_("— start empty —"))

    def __init__(self, *args, menus=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].queryset = menus


class EntryForm(StyledForm):
    # QuickSelect: the dish library is a long list, rendered on every view of the menu page
    day = forms.TypedChoiceField(label=_("Day"), coerce=int, choices=DAYS, widget=QuickSelect)
    meal = forms.ChoiceField(label=_("Meal"), choices=Meal.choices, widget=QuickSelect)
    dish = forms.ModelChoiceField(label=_("Dish"), queryset=None, to_field_name="code", widget=QuickSelect)
    factor = forms.DecimalField(label=_("Portion factor"), initial=1, max_digits=4, decimal_places=2)
    reason = forms.CharField(label=_("Reason for the change"), max_length=200, required=False)
    meeting = forms.ModelChoiceField(label=_("Meal committee meeting"), queryset=None, required=False,
                                     to_field_name="code", widget=QuickSelect)

    def __init__(self, *args, menu=None, dishes=None, meals=None, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = DAYS[: menu.days]
        self.fields["meal"].choices = [(m, Meal(m).label) for m in meals]
        self.fields["dish"].queryset = dishes
        self.fields["meeting"].queryset = meetings
        if not menu.is_published:
            del self.fields["reason"]
            del self.fields["meeting"]


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class DishForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=40)
    category = forms.ChoiceField(label=_("Category"), choices=DishCategory.choices)
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(INGREDIENT_ROWS):
            self.fields[f"food_{i}"] = forms.CharField(
                label=_("Food %(n)d") % {"n": i + 1}, max_length=80, required=False,
                widget=forms.TextInput(attrs={"list": "food-options", "autocomplete": "off"}))
            self.fields[f"grams_{i}"] = forms.CharField(label=_("Grams per child (raw)"), max_length=10,
                                                        required=False,
                                                        widget=forms.TextInput(attrs={"inputmode": "decimal"}))

    def rows(self):
        return [(self[f"food_{i}"], self[f"grams_{i}"]) for i in range(INGREDIENT_ROWS)]


class FoodForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=80)
    pagoda_group = forms.ChoiceField(label=_("Food group"), choices=PagodaGroup.choices)
    edible_pct = forms.DecimalField(label=_("Edible portion (%)"), initial=100, max_digits=5, decimal_places=1)
    energy_kcal = forms.DecimalField(label=_("Energy (kcal)"), required=False)
    protein_g = forms.DecimalField(label=_("Protein (g)"), required=False)
    fat_g = forms.DecimalField(label=_("Fat (g)"), required=False)
    carbohydrate_g = forms.DecimalField(label=_("Carbohydrate (g)"), required=False)
    calcium_mg = forms.DecimalField(label=_("Calcium (mg)"), required=False)
    iron_mg = forms.DecimalField(label=_("Iron (mg)"), required=False)
    zinc_mg = forms.DecimalField(label=_("Zinc (mg)"), required=False)
    vitamin_a_ug = forms.DecimalField(label=_("Vitamin A (μg RAE)"), required=False)
    thiamin_mg = forms.DecimalField(label=_("Vitamin B1 (mg)"), required=False)
    riboflavin_mg = forms.DecimalField(label=_("Vitamin B2 (mg)"), required=False)
    vitamin_c_mg = forms.DecimalField(label=_("Vitamin C (mg)"), required=False)
    sodium_mg = forms.DecimalField(label=_("Sodium (mg)"), required=False)
    allergens = forms.CharField(label=_("Allergens"), max_length=100, required=False)
    source = forms.CharField(label=_("Source of the values"), max_length=200, required=False,
                             help_text=_("e.g. the product's label"))


class SettingsForm(StyledForm):
    meals = forms.MultipleChoiceField(label=_("Meals served"), choices=Meal.choices,
                                      widget=forms.CheckboxSelectMultiple)
    care_type = forms.ChoiceField(label=_("Care type"), choices=CareType.choices)
    factor_toddler = forms.DecimalField(label=_("Portion factor: toddler class"), max_digits=4, decimal_places=2)
    factor_small = forms.DecimalField(label=_("Portion factor: small class"), max_digits=4, decimal_places=2)
    factor_middle = forms.DecimalField(label=_("Portion factor: middle class"), max_digits=4, decimal_places=2)
    factor_large = forms.DecimalField(label=_("Portion factor: large class"), max_digits=4, decimal_places=2)
    meal_fee_per_day = forms.DecimalField(label=_("Meal fee per day (if finance has none)"), required=False,
                                          max_digits=8, decimal_places=2)
    refund_sick_days = forms.BooleanField(label=_("Refund sick days"), required=False)
    refund_personal_days = forms.BooleanField(label=_("Refund personal leave days"), required=False)
    staff_meal_share = forms.DecimalField(label=_("Staff meals share of kitchen issues (%)"), max_digits=5,
                                          decimal_places=2)


class LinkForm(StyledForm):
    food = forms.CharField(label=_("Food"), max_length=80, widget=forms.TextInput(attrs={"list": "food-options"}))
    grams_per_unit = forms.DecimalField(label=_("Grams per unit"), max_digits=10, decimal_places=1)


class MonthForm(StyledForm):
    month = forms.CharField(label=_("Month"), max_length=7, widget=forms.TextInput(attrs={"type": "month"}))

    def clean_month(self):
        try:
            return dt.datetime.strptime(self.cleaned_data["month"], "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))


class SurveyForm(MonthForm):
    conclusion = forms.CharField(label=_("Conclusion and measures"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AccountPublishForm(StyledForm):
    note = forms.CharField(label=_("Explanation to parents"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class MeetingForm(StyledForm):
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    members = forms.CharField(label=_("Members present"), widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("One per line: name and role, e.g. 李梅 家长代表（中一班）."))
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 5}))
    decisions = forms.CharField(label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    survey = forms.ModelChoiceField(label=_("Diet survey discussed"), queryset=None, required=False,
                                    to_field_name="code")

    def __init__(self, *args, surveys=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = surveys


class ProposalForm(StyledForm):
    week_start = forms.DateField(label=_("Week starting (Monday)"), widget=forms.DateInput(attrs={"type": "date"}))
    grade = forms.ChoiceField(label=_("Age group"), choices=Grade.choices, initial=Grade.MIDDLE)
    budget = forms.DecimalField(label=_("Food cost a child-day at most (yuan)"), required=False, max_digits=8,
                                decimal_places=2, help_text=_("Empty: the meal fee."))


class DeliveryReceiveForm(StyledForm):
    """One expected delivery of a purchase plan, received as delivered (prefilled with the plan's
    quantity and price; the production date with the day, as for fresh food delivered that morning)."""

    quantity = forms.DecimalField(label=_("quantity received"), min_value=0, max_digits=12, decimal_places=3,
                                  widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}))
    unit_cost = forms.DecimalField(label=_("unit price (yuan)"), min_value=0, max_digits=12, decimal_places=4,
                                   widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}))
    production_date = forms.DateField(label=_("production date"), widget=forms.DateInput(attrs={"type": "date"}),
                                      required=False)
    expiry_date = forms.DateField(label=_("expiry date"), widget=forms.DateInput(attrs={"type": "date"}),
                                  required=False, help_text=_("Leave empty to compute it from the item's shelf life."))
    warehouse = forms.ChoiceField(label=_("warehouse"))

    def __init__(self, *args, warehouses: list, **kwargs):
        """`warehouses`: the food stores, read once for all the page's forms (no query per form)."""
        super().__init__(*args, **kwargs)
        self.stores = {str(w.code): w for w in warehouses}
        self.fields["warehouse"].choices = [(code, str(w)) for code, w in self.stores.items()]

    def clean_warehouse(self):
        return self.stores[self.cleaned_data["warehouse"]]
