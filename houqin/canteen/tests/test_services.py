"""Dishes, menus, publishing and revisions, warnings, foods and rule figures: the rules and the bad
input (clear messages, nothing half-saved)."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from houqin.canteen import selectors, services
from houqin.canteen.models import Dish, DishIngredient, Food, Menu, MenuEntry, MenuRevision
from houqin.canteen.tests.conftest import EGG, MILK, MONDAY, RICE, actor_of, food, make_menu, register
from houqin.core.errors import Conflict, DomainError, Forbidden
from houqin.org.models import Role

pytestmark = pytest.mark.django_db


def messages(exc) -> str:
    return " | ".join(str(e["message"]) for e in exc.value.errors) or str(exc.value.message)


@pytest.mark.parametrize("grams, expected", [
    ("0", "Grams per child must be more than 0."),
    ("-5", "Grams per child must be more than 0."),
    ("1001", "1001 g of one food per child per meal is more than 1000 g: check the amount."),
    ("abc", "Enter a number."),
    ("", "Enter the grams per child."),
])
def test_bad_grams_are_refused_and_nothing_is_saved(health, grams, expected):
    with pytest.raises(DomainError) as exc:
        services.dish_save(actor=health, name="红烧肉", category="meat", ingredients=[
            {"food": food(RICE), "grams_raw": "30"}, {"food": food(EGG), "grams_raw": grams}])
    assert expected in messages(exc)
    assert not Dish.objects.exists() and not DishIngredient.objects.exists()


def test_a_food_with_no_nutrient_data_is_refused(health):
    empty = Food.objects.filter(kindergarten__isnull=True, energy_kcal__isnull=True).first()
    assert empty is not None
    with pytest.raises(DomainError) as exc:
        services.dish_save(actor=health, name="试菜", category="vegetable",
                           ingredients=[{"food": empty, "grams_raw": "20"}])
    assert "has no energy or protein value in the food table" in messages(exc)
    assert not Dish.objects.exists()


def test_edible_grams_default_to_the_edible_portion(health):
    dish = services.dish_save(actor=health, name="蛋羹", category="meat", ingredients=[{"food": food(EGG), "grams_raw": "50"}])
    ing = dish.ingredients.get()
    assert ing.grams_raw == Decimal("50.0") and ing.grams_edible == Decimal("43.5")  # 87 %


def test_a_menu_week_starts_on_a_monday_and_is_unique(health):
    with pytest.raises(DomainError) as exc:
        services.menu_create(actor=health, week_start=MONDAY + dt.timedelta(days=1))
    assert "A menu week starts on a Monday." in messages(exc)
    services.menu_create(actor=health, week_start=MONDAY)
    with pytest.raises(DomainError) as exc:
        services.menu_create(actor=health, week_start=MONDAY)
    assert "There is already a menu for this week." in messages(exc)
    assert Menu.objects.count() == 1


def test_a_menu_with_no_meals_cannot_be_published(health, dishes):
    menu = services.menu_create(actor=health, week_start=MONDAY)
    with pytest.raises(DomainError) as exc:
        services.menu_publish(actor=health, menu=menu)
    assert "This menu has no meals yet" in str(exc.value.message)
    services.entry_add(actor=health, menu=menu, day=0, meal="lunch", dish=dishes["rice"])
    with pytest.raises(DomainError) as exc:
        services.menu_publish(actor=health, menu=menu)
    assert "These days have no meals yet: Tue、Wed、Thu、Fri." in str(exc.value.message)
    menu.refresh_from_db()
    assert menu.status == "draft" and menu.published_at is None


def test_a_meal_the_kindergarten_does_not_serve_is_refused(health, dishes):
    menu = services.menu_create(actor=health, week_start=MONDAY)
    with pytest.raises(DomainError) as exc:
        services.entry_add(actor=health, menu=menu, day=0, meal="supper", dish=dishes["rice"])
    assert "Choose one of the meals the kindergarten serves." in messages(exc)
    with pytest.raises(DomainError) as exc:
        services.entry_add(actor=health, menu=menu, day=0, meal="lunch", dish=dishes["rice"], factor="30")
    assert "The portion factor lies between 0.1 and 5." in messages(exc)
    assert not MenuEntry.objects.exists()


def test_publishing_freezes_the_menu_changes_need_a_reason_and_make_a_version(world, health, dishes):
    from houqin.notices.models import Notice

    menu = make_menu(health, dishes)
    services.menu_publish(actor=health, menu=menu)
    menu.refresh_from_db()
    assert menu.is_published and menu.version == 1
    assert menu.summary["energy_pct"] > 0
    notice = Notice.objects.get(source=f"canteen.menu:{menu.code}")
    assert notice.kind == "meals" and "米饭" in notice.body

    with pytest.raises(DomainError) as exc:
        services.entry_add(actor=health, menu=menu, day=1, meal="breakfast", dish=dishes["egg"])
    assert "This menu is published: meals are served as published. Give the reason for the change." in messages(exc)
    assert MenuEntry.objects.filter(menu=menu).count() == 15

    canteen = actor_of(world, Role.CANTEEN)
    with pytest.raises(Forbidden):
        services.entry_add(actor=canteen, menu=menu, day=1, meal="breakfast", dish=dishes["egg"], reason="加蛋")

    before = menu.summary["protein_g"]
    services.entry_add(actor=health, menu=menu, day=1, meal="breakfast", dish=dishes["egg"], reason="膳委会建议增加蛋类")
    menu.refresh_from_db()
    revision = MenuRevision.objects.get(menu=menu)
    assert menu.version == 2 and revision.version == 2 and revision.reason == "膳委会建议增加蛋类"
    assert "蒸鸡蛋羹" in revision.change and revision.created_by == health.user
    assert menu.summary["protein_g"] > before

    entry = MenuEntry.objects.get(menu=menu, day=1, dish=dishes["egg"])
    with pytest.raises(DomainError):
        services.entry_remove(actor=health, entry=entry)
    services.entry_remove(actor=health, entry=entry, reason="鸡蛋未到货")
    menu.refresh_from_db()
    assert menu.version == 3 and menu.revisions.count() == 2


def test_copy_a_week(health, dishes):
    source = make_menu(health, dishes)
    copy = services.menu_create(actor=health, week_start=MONDAY + dt.timedelta(days=7), copy_from=source)
    assert copy.copied_from == source
    assert [(e.day, e.meal, e.dish_name) for e in selectors.menu_entries(copy)] == [
        (e.day, e.meal, e.dish_name) for e in selectors.menu_entries(source)]
    grams = sorted(f.grams_raw for e in selectors.menu_entries(copy) for f in e.foods.all())
    assert grams == sorted(f.grams_raw for e in selectors.menu_entries(source) for f in e.foods.all())
    assert copy.status == "draft"


def test_warnings_repeat_allergen_and_out_of_stock(world, health, dishes):
    from houqin.canteen.models import StockFoodLink
    from houqin.stock.models import Category, Item

    child = world.k1.children[3]
    child.notes = "对鸡蛋过敏"  # the notes are not read any more: only the health register
    child.save()
    register(child, "egg")
    menu = services.menu_create(actor=health, week_start=MONDAY)
    services.entry_add(actor=health, menu=menu, day=0, meal="breakfast", dish=dishes["egg"])
    services.entry_add(actor=health, menu=menu, day=3, meal="breakfast", dish=dishes["egg"])
    services.entry_add(actor=health, menu=menu, day=0, meal="breakfast", dish=dishes["milk"])
    milk = Item.objects.create(kindergarten=world.k1.kg, name="牛奶", unit="箱", category=Category.DAIRY, shelf_life_days=21)
    StockFoodLink.objects.create(kindergarten=world.k1.kg, item=milk, food=food(MILK), grams_per_unit=4800)
    warnings = selectors.menu_warnings(menu, actor=health)
    kinds = [w["kind"] for w in warnings]
    text = " ".join(w["message"] for w in warnings)
    assert kinds.count("repeat") == 1 and "蒸鸡蛋羹 is served 2 times this week (Mon、Thu)." in text
    assert "allergen" in kinds and f"蒸鸡蛋羹 contains Egg: {child.name} (中一班) has no substitute yet." in text
    assert "牛奶 (for 牛奶) is out of stock." in text


@pytest.mark.parametrize("role, seen", [
    (Role.HEALTH_TEACHER, {"own", "other"}), (Role.PRINCIPAL, {"own", "other"}), (Role.DIRECTOR, {"own", "other"}),
    (Role.CANTEEN, {"own", "other"}),  # the kitchen cooks for every class
    (Role.CLASS_TEACHER, {"own"}), (Role.NURSERY, {"own"}),  # their class only
])
def test_allergy_warnings_are_scoped_to_the_reader_and_show_the_allergen_not_the_notes(world, login, health, dishes,
                                                                                        role, seen):
    """Issue 12, leak 2: a class teacher saw every class's children with their whole notes field."""
    own, other = world.k1.own_class, world.k1.classes[2]
    children = {"own": next(c for c in world.k1.children if c.school_class_id == own.pk),
                "other": next(c for c in world.k1.children if c.school_class_id == other.pk)}
    for child in children.values():
        child.notes = "对鸡蛋过敏；父母离异，由外婆接送"
        child.save()
        register(child, "egg", reaction="父母离异，由外婆接送")
    menu = services.menu_create(actor=health, week_start=MONDAY)
    services.entry_add(actor=health, menu=menu, day=0, meal="breakfast", dish=dishes["egg"])
    reader = actor_of(world, role)
    text = " ".join(w["message"] for w in selectors.menu_warnings(menu, actor=reader) if w["kind"] == "allergen")
    assert {k for k, c in children.items() if c.name in text} == seen
    assert "Egg" in text and "外婆" not in text and "离异" not in text
    client = login(world.k1.users[role])
    for url in (f"/k/k1/canteen/menus/{menu.code}/", f"/api/k/k1/canteen/menus/{menu.code}"):
        response = client.get(url)
        body = json.dumps(response.json(), ensure_ascii=False) if url.startswith("/api/") else response.content.decode()
        assert "外婆" not in body and "离异" not in body
        assert {k for k, c in children.items() if c.name in body} == seen, url


def test_age_groups_scale_the_portions(world, health, dishes):
    from houqin.canteen.models import CanteenSettings

    menu = make_menu(health, dishes)
    CanteenSettings.objects.create(kindergarten=world.k1.kg, meals=["breakfast", "lunch", "afternoon_snack"],
                                   factor_small=Decimal("0.8"))
    middle = selectors.menu_analysis(menu, grade="middle").nutrient("energy_kcal").intake
    small = selectors.menu_analysis(menu, grade="small").nutrient("energy_kcal").intake
    assert small == pytest.approx(middle * 0.8, rel=1e-9)


def test_own_food_needs_its_label_values_and_is_searchable(world, health):
    with pytest.raises(DomainError) as exc:
        services.food_create(actor=health, name="酱油", pagoda_group="other")
    assert "Enter at least the energy and the protein per 100 g" in messages(exc)
    soy = services.food_create(actor=health, name="酱油", pagoda_group="other", energy_kcal="63", protein_g="5.6",
                               sodium_mg="5757", source="海天生抽标签")
    assert soy.kindergarten == world.k1.kg and soy.vitamin_c_mg is None
    found = selectors.food_search(kindergarten=world.k1.kg, q="jy")
    assert found[0] == soy
    assert selectors.food_search(kindergarten=world.k2.kg, q="jy") == [] or soy not in selectors.food_search(
        kindergarten=world.k2.kg, q="jy")
    assert [f.name for f in selectors.food_search(kindergarten=world.k1.kg, q="小白菜")][0] == "小白菜 [青菜]"


def test_rule_overrides_need_a_source(world, health):
    from houqin.canteen.rules import rules_for
    from houqin.core import rules as core_rules

    with pytest.raises(DomainError) as exc:
        core_rules.override_set(actor=health, area="canteen", key="account.balance_limit_pct", value="3", source="")
    assert "Say where your value comes from" in messages(exc)
    core_rules.override_set(actor=health, area="canteen", key="account.balance_limit_pct", value="3", source="区教育局 2026 文件")
    figure = rules_for(world.k1.kg).figure("account.balance_limit_pct")
    assert figure.value == 3 and figure.overridden and figure.shipped_value == 2
    assert rules_for(world.k2.kg).value("account.balance_limit_pct") == 2
    core_rules.override_clear(actor=health, area="canteen", key="account.balance_limit_pct")
    assert rules_for(world.k1.kg).value("account.balance_limit_pct") == 2


def test_a_voided_menu_frees_its_week(health, dishes):
    menu = make_menu(health, dishes)
    with pytest.raises(DomainError):
        services.menu_void(actor=health, menu=menu, reason=" ")
    services.menu_void(actor=health, menu=menu, reason="录错周次")
    assert services.menu_create(actor=health, week_start=MONDAY).pk != menu.pk
    with pytest.raises(Conflict):
        services.menu_publish(actor=health, menu=menu)
