"""Styled forms render HTML5 picker values in ISO format whatever the interface language."""

import datetime as dt

import pytest
from django import forms
from django.utils import translation

from houqin.core.forms import QuickSelect, StyledForm


class _Form(StyledForm):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


def test_date_pickers_get_iso_values_in_chinese():
    with translation.override("zh-hans"):
        html = str(_Form(initial={"day": dt.date(2026, 11, 28), "at": dt.datetime(2026, 11, 28, 7, 30)}))
    assert 'value="2026-11-28"' in html and 'value="2026-11-28T07:30"' in html


@pytest.mark.django_db
def test_staff_pickers_name_the_role_tell_namesakes_apart_and_leave_out_parents(world):
    """Every staff picker reads org.selectors.staff_users and labels with core.forms: "张丽（保育员）",
    namesakes with their user names; parents and people who left are not staff."""
    from houqin.core.forms import StaffChoiceField
    from houqin.org.models import Membership, Role
    from houqin.org.selectors import staff_users
    from houqin.testing import make_member

    kg = world.k1.kg
    a = make_member("zhangli_a", Role.NURSERY, kg)
    b = make_member("zhangli_b", Role.CANTEEN, kg)
    for user in (a, b):
        user.full_name = "张丽"
        user.save()
    gone = make_member("left_us", Role.GUARD, kg)
    Membership.objects.filter(user=gone).update(is_active=False)

    class _Pick(StyledForm):
        person = StaffChoiceField(queryset=staff_users(kg))

    with translation.override("zh-hans"):
        labels = dict((str(v), str(label)) for v, label in _Pick().fields["person"].choices if v != "")
    assert labels[str(a.pk)] == "张丽（保育员） · zhangli_a" and labels[str(b.pk)] == "张丽（食堂人员） · zhangli_b"
    director = world.k1.users[Role.DIRECTOR]
    assert labels[str(director.pk)] == f"{director.display_name}（后勤主任）"
    people = set(staff_users(kg))
    assert world.k1.users[Role.PARENT] not in people and gone not in people


@pytest.mark.parametrize("value", [None, "", "b&1", ["b&1"], 2, "none"])
def test_the_quick_select_writes_djangos_select_markup(value):
    """QuickSelect joins the options in Python: the markup is Django's templates' own, byte for byte
    (escaped values and labels, the selected option, attributes bare, valued or left out), and a
    select with option groups still renders by the templates."""
    from django.utils.safestring import mark_safe

    choices = [("", "---------"), ("b&1", "番茄<炒>蛋"), (2, "豆腐"), ("a", mark_safe("<b>粥</b>"))]
    attrs = {"class": "form-select", "required": True, "disabled": False, "data-x": 'a"b', "id": "id_dish"}
    ours = QuickSelect(attrs=attrs, choices=choices).render("dish", value)
    django = forms.Select(attrs=attrs, choices=choices).render("dish", value)
    assert ours == django
    assert "<option" in ours and ("selected" in ours) == (value != "none")  # None and "" choose the empty option
    groups = [("甲", [("1", "一")]), ("乙", [("2", "二")])]
    assert QuickSelect(choices=groups).render("g", "2") == forms.Select(choices=groups).render("g", "2")
