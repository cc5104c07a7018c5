"""Food safety's list pages and list endpoints run a fixed number of queries, whatever the number of
deliveries, samples, checks, inspections and certificates."""

import datetime as dt

import pytest
from django.utils import timezone

from houqin.foodsafety import services
from houqin.foodsafety.models import (
    AccompaniedMeal,
    CertificateKind,
    DutyCheck,
    DutyResult,
    ProductionRecord,
    Sample,
)
from houqin.foodsafety.tests.conftest import actor_of, days, publish_menu
from houqin.org.models import Role
from houqin.stock.models import Supplier
from houqin.testing import query_count_mismatches

pytestmark = pytest.mark.django_db

LIST_URLS = [
    "/k/k1/",
    "/k/k1/foodsafety/",
    "/k/k1/foodsafety/samples/",
    "/k/k1/foodsafety/tableware/",
    "/k/k1/foodsafety/receiving/",
    "/k/k1/foodsafety/certificates/",
    "/k/k1/foodsafety/expiry-checks/",
    "/k/k1/foodsafety/expiry-checks/new/",
    "/k/k1/foodsafety/hygiene/",
    "/k/k1/foodsafety/rules/",
    "/k/k1/foodsafety/production/",
    "/api/k/k1/foodsafety/production",
    "/api/k/k1/foodsafety/production/waste",
    "/k/k1/foodsafety/duties/",
    "/k/k1/foodsafety/meals/",
    "/api/k/k1/foodsafety/duties",
    "/api/k/k1/foodsafety/meals",
    "/api/k/k1/foodsafety/receipts",
    "/api/k/k1/foodsafety/samples",
    "/api/k/k1/foodsafety/certificates",
    "/api/k/k1/foodsafety/expiry-checks",
    "/api/k/k1/foodsafety/hygiene",
    "/api/k/k1/foodsafety/tableware",
    "/api/k/k1/foodsafety/kitchen",
    "/api/k/k1/foodsafety/todos",
    "/api/k/k1/foodsafety/rules",
    "/k/k1/foodsafety/pests/",
    "/k/k1/foodsafety/water/",
    "/api/k/k1/foodsafety/pests",
    "/api/k/k1/foodsafety/water/units",
    "/api/k/k1/foodsafety/water/filters",
    "/api/k/k1/foodsafety/water/tests",
]


def _grow(world, store, menu, n: int):
    canteen = actor_of(world, Role.CANTEEN)
    director = actor_of(world, Role.DIRECTOR)
    for i in range(n):
        supplier = Supplier.objects.create(kindergarten=world.k1.kg, name=f"供应商{Supplier.objects.count()}")
        for kind in (CertificateKind.BUSINESS_LICENCE, CertificateKind.FOOD_LICENCE):
            services.certificate_create(actor=canteen, supplier=supplier, kind=kind, number=f"N{i}",
                                        valid_until=days(10 + i))
        services.receipt_create(actor=canteen, supplier=supplier, warehouse=store.food, lines=[
            {"item": store.rice, "quantity": "5", "unit_price": "2", "production_date": days(-2), "shelf_life_days": 90},
            {"item": store.eggs, "quantity": "3", "unit_price": "6", "production_date": days(-1), "shelf_life_days": 9,
             "to_kitchen": True},
            {"item": store.eggs, "quantity": "1", "unit_price": "6", "production_date": days(-1), "shelf_life_days": 9,
             "accepted": False, "reject_reason": "破损"},
        ])
        services.expiry_check_create(actor=canteen, warehouse=store.food)
        items = list(services.hygiene_items(world.k1.kg))
        answers = {item.code: {"passed": True} for item in items}  # every item is answered
        answers[items[i % len(items)].code] = {"passed": False, "note": "不合格"}
        services.hygiene_inspection_create(actor=director, results=answers)
    day = timezone.localdate() - dt.timedelta(days=n)
    for dish in menu.dishes:  # older samples, as the kitchen kept them (test data, written directly)
        stored = timezone.now() - dt.timedelta(days=n)
        Sample.objects.create(kindergarten=world.k1.kg, day=day, meal="lunch", meal_label="午餐", dish_code=dish.code,
                              dish_name=dish.name, weight_grams=130, stored_at=stored, fridge="1",
                              stored_by=canteen.user, discard_due=stored + dt.timedelta(hours=48), retain_until=day)
    services.tableware_record(actor=canteen, day=day, meal="lunch", method="steam", minutes=20,
                              temperature=100)
    principal = actor_of(world, Role.PRINCIPAL)
    for _i in range(n):  # duties and meals with the children, written directly (one per period in the service)
        check = DutyCheck.objects.create(kindergarten=world.k1.kg, kind="daily", done_on=day, done_by=director.user,
                                         retain_until=day)
        DutyResult.objects.create(kindergarten=world.k1.kg, check_record=check, item_key="d01", text="晨检",
                                  passed=False, note="x", deadline=day)
        AccompaniedMeal.objects.create(kindergarten=world.k1.kg, day=day, meal="lunch", diner=principal.user,
                                       place="小一班", remarks="好", retain_until=day)
    for dish in menu.dishes:  # and their production (test data, written directly like the samples)
        stored = timezone.now() - dt.timedelta(days=n)
        ProductionRecord.objects.create(
            kindergarten=world.k1.kg, day=day, meal="lunch", meal_label="午餐", dish_code=dish.code,
            dish_name=dish.name, planned_portions=50, served_portions=48, cooked_kg=6, served_kg="5.5",
            leftover_kg="0.3", plate_waste_kg="0.4", cooked_by=canteen.user, cooked_at=stored, served_at=stored,
            sample=Sample.objects.filter(day=day, dish_code=dish.code).first(), retain_until=day)


def _grow_logs(world, n: int):
    from houqin.foodsafety import logs

    canteen = actor_of(world, Role.CANTEEN)
    director = actor_of(world, Role.DIRECTOR)
    for i in range(n):
        start = logs.WaterUnit.objects.count()
        unit = logs.water_unit_save(actor=director, place=f"班级{start}", kind="direct")
        logs.pest_record(actor=canteen, place="厨房", kind="rodent", method="粘鼠板", signs_found=bool(i % 2),
                         findings="鼠粪", action="加放粘鼠板")
        logs.filter_change_record(actor=canteen, unit=unit)
        logs.water_test_record(actor=canteen, unit=unit, tester="self", passed=bool(i % 2), result="浑浊")


def test_list_pages_do_not_grow_with_rows(world, store, login):
    """Every page and list of LIST_URLS, counted on one world grown from few rows to many: the count
    must not change, and stays within 30 queries (the home page within the home page's budget)."""
    menu = publish_menu(world)
    client = login(world.k1.users[Role.DIRECTOR])
    _grow(world, store, menu, 1)
    _grow_logs(world, 1)

    def grow():
        _grow(world, store, menu, 4)
        _grow_logs(world, 4)

    counted, wrong = query_count_mismatches(LIST_URLS, lambda url: client, grow, budget=30)
    assert wrong == [], "\n".join(wrong)
    assert len(counted) == len(LIST_URLS) == 32
