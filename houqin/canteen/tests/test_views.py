"""The pages and the JSON API end to end: build a week, see its analysis, publish it, print it;
dishes and foods from forms; the meal account pages; bad input answers with a message."""

import json

import pytest

from houqin.canteen.models import Dish, Food, Menu, MenuEntry
from houqin.canteen.tests.conftest import MONDAY, RICE, food, make_menu
from houqin.org.models import Role

pytestmark = pytest.mark.django_db


def test_build_publish_and_print_a_week_through_the_pages(world, login, health, dishes):
    c = login(world.k1.users[Role.HEALTH_TEACHER])
    response = c.post("/k/k1/canteen/menus/new/", {"week_start": MONDAY.isoformat(), "days": "5"})
    menu = Menu.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/canteen/menus/{menu.code}/")
    for day in range(5):
        for meal, dish in (("breakfast", "milk"), ("lunch", "rice"), ("lunch", "greens")):
            r = c.post(f"/k/k1/canteen/menus/{menu.code}/", {"day": day, "meal": meal, "dish": dishes[dish].code,
                                                              "factor": "1"})
            assert r.status_code == 302
    bad = c.post(f"/k/k1/canteen/menus/{menu.code}/", {"day": 0, "meal": "lunch", "dish": dishes["rice"].code,
                                                        "factor": "9"})
    assert bad.status_code == 200 and "The portion factor lies between 0.1 and 5." in bad.content.decode()
    page = c.get(f"/k/k1/canteen/menus/{menu.code}/").content.decode()
    assert "青菜肉丝" in page and 'data-testid="nutrition-summary"' in page
    analysis = c.get(f"/k/k1/canteen/menus/{menu.code}/analysis/?grade=large").content.decode()
    assert "Advice" in analysis and "To be verified" in analysis and "豆油" in analysis  # oil has no vitamin A value
    assert c.post(f"/k/k1/canteen/menus/{menu.code}/publish/").status_code == 302
    menu.refresh_from_db()
    assert menu.is_published
    pdf = c.get(f"/k/k1/canteen/menus/{menu.code}/menu.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    parent = login(world.k1.users[Role.PARENT])
    listing = parent.get("/k/k1/canteen/published/").content.decode()
    assert str(menu.code) in listing
    assert parent.get(f"/k/k1/canteen/menus/{menu.code}/menu.pdf").status_code == 200


def test_removing_from_a_published_menu_needs_a_reason(world, login, health, dishes):
    from houqin.canteen import services

    menu = make_menu(health, dishes)
    services.menu_publish(actor=health, menu=menu)
    entry = MenuEntry.objects.filter(menu=menu).first()
    c = login(world.k1.users[Role.HEALTH_TEACHER])
    r = c.post(f"/k/k1/canteen/menus/{menu.code}/entries/{entry.code}/remove/", {"reason": ""}, follow=True)
    assert "Give the reason for the change." in r.content.decode()
    assert MenuEntry.objects.filter(pk=entry.pk).exists()
    c.post(f"/k/k1/canteen/menus/{menu.code}/entries/{entry.code}/remove/", {"reason": "牛奶未到货，改豆浆"})
    assert not MenuEntry.objects.filter(pk=entry.pk).exists()
    assert menu.revisions.get().reason == "牛奶未到货，改豆浆"


def test_dish_and_own_food_from_the_forms(world, login):
    c = login(world.k1.users[Role.CANTEEN])
    r = c.post("/k/k1/canteen/foods/new/", {"name": "白砂糖", "pagoda_group": "sugar", "edible_pct": "100",
                                            "energy_kcal": "400", "protein_g": "0", "source": "包装标签"})
    assert r.status_code == 302
    assert Food.objects.get(kindergarten=world.k1.kg, name="白砂糖").energy_kcal == 400
    r = c.post("/k/k1/canteen/dishes/new/", {"name": "糖水米饭", "category": "staple", "food_0": "粳米（标一）",
                                             "grams_0": "50", "food_1": "白砂糖", "grams_1": "5"})
    assert r.status_code == 302
    dish = Dish.objects.get(name="糖水米饭")
    assert sorted(i.food.name for i in dish.ingredients.all()) == ["白砂糖", "粳米（标一）"]
    r = c.post("/k/k1/canteen/dishes/new/", {"name": "怪菜", "category": "staple", "food_0": "不存在的食物",
                                             "grams_0": "50"})
    assert "No food of this name: choose one from the list." in r.content.decode()
    r = c.post("/k/k1/canteen/dishes/new/", {"name": "大份米饭", "category": "staple", "food_0": "粳米（标一）",
                                             "grams_0": "1500"})
    assert "is more than 1000 g: check the amount." in r.content.decode()
    assert not Dish.objects.filter(name__in=["怪菜", "大份米饭"]).exists()
    search = c.get("/k/k1/canteen/foods/?q=bst", HTTP_HX_REQUEST="true").content.decode()
    assert "白砂糖" in search


def test_the_api_builds_publishes_and_analyses(world, login, health, dishes):
    c = login(world.k1.users[Role.HEALTH_TEACHER])
    r = c.post("/api/k/k1/canteen/menus", json.dumps({"week_start": MONDAY.isoformat(), "days": 1}),
               content_type="application/json")
    assert r.status_code == 201
    code = r.json()["code"]
    r = c.post(f"/api/k/k1/canteen/menus/{code}/publish")
    assert r.status_code == 422 and "no meals yet" in r.json()["detail"]
    r = c.post(f"/api/k/k1/canteen/menus/{code}/entries", json.dumps(
        {"day": 0, "meal": "lunch", "dish_code": str(dishes["rice"].code)}), content_type="application/json")
    assert r.status_code == 201 and r.json()["entries"][0]["foods"][0]["grams_raw"] == "50.0"
    r = c.post(f"/api/k/k1/canteen/menus/{code}/entries", json.dumps(
        {"day": 0, "meal": "lunch", "dish_code": str(dishes["rice"].code), "factor": "0"}),
        content_type="application/json")
    assert r.status_code == 422
    analysis = c.get(f"/api/k/k1/canteen/menus/{code}/analysis").json()
    assert analysis["nutrients"][0]["key"] == "energy_kcal"
    assert analysis["nutrients"][0]["intake"] == pytest.approx(345 * 0.5, rel=0.005)
    assert c.post(f"/api/k/k1/canteen/menus/{code}/publish").status_code == 200
    served = c.get(f"/api/k/k1/canteen/served?day={MONDAY.isoformat()}").json()
    assert [d["dish_name"] for d in served] == ["米饭"]
    r = c.post("/api/k/k1/canteen/dishes", json.dumps({"name": "零克饭", "category": "staple", "ingredients": [
        {"food_code": str(food(RICE).code), "grams_raw": "0"}]}), content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["message"] == "Grams per child must be more than 0."
    rules = c.get("/api/k/k1/canteen/rules").json()
    assert any(f["key"] == "account.balance_limit_pct" and f["status"] == "UNCONFIRMED" for f in rules)


def test_rules_page_shows_sources_and_unconfirmed_figures(world, login):
    c = login(world.k1.users[Role.HEALTH_TEACHER])
    page = c.get("/k/k1/canteen/rules/").content.decode()
    assert "托儿所幼儿园卫生保健工作规范" in page and 'data-testid="unconfirmed"' in page
    r = c.post("/k/k1/canteen/rules/account.balance_limit_pct/", {"value": "3", "source": "区教育局通知"})
    assert r.status_code == 302
    assert "区教育局通知" in c.get("/k/k1/canteen/rules/").content.decode()


def test_meal_account_pages(world, login):

    teacher = login(world.k1.users[Role.CLASS_TEACHER])
    assert teacher.get("/k/k1/canteen/account/").status_code == 403
    c = login(world.k1.users[Role.ACCOUNTANT])
    r = c.post("/k/k1/canteen/account/", {"month": "2026-09"})
    assert r.status_code == 200 and "No attendance is recorded for this month" in r.content.decode()


def test_settings_page_saves_the_meal_pattern(world, login):
    c = login(world.k1.users[Role.DIRECTOR])
    r = c.post("/k/k1/canteen/settings/", {"meals": ["breakfast", "lunch", "afternoon_snack", "supper"],
                                           "care_type": "boarding", "factor_toddler": "0.7", "factor_small": "0.85",
                                           "factor_middle": "1", "factor_large": "1.1", "meal_fee_per_day": "20",
                                           "refund_sick_days": "on", "staff_meal_share": "5"})
    assert r.status_code == 302
    from houqin.canteen.selectors import settings_for

    s = settings_for(world.k1.kg)
    assert s.meal_list == ["breakfast", "lunch", "afternoon_snack", "supper"] and s.care_type == "boarding"
    assert not s.refund_personal_days
    r = c.post("/k/k1/canteen/settings/", {"meals": ["lunch"], "care_type": "boarding", "factor_toddler": "9",
                                           "factor_small": "1", "factor_middle": "1", "factor_large": "1",
                                           "staff_meal_share": "0"})
    assert r.status_code == 200
    assert "A portion factor lies between 0.3 and 2." in r.content.decode()
    assert str(settings_for(world.k1.kg).factor_toddler) == "0.70"


@pytest.fixture(autouse=True)
def _english_pages(settings):
    """These tests read the pages' messages in English (the msgids); the Chinese catalogue is
    checked by houqin/core/tests/test_i18n.py."""
    settings.LANGUAGE_CODE = "en"
