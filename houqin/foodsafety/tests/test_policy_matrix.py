"""Food safety's role × route × scope matrix: every page and API GET endpoint, on objects of k1, of
k2 and missing, as every k1 role, the district supervisor and an anonymous visitor."""

import datetime as dt

import pytest
from django.utils import timezone

from houqin.foodsafety import duties, logs, production, services
from houqin.foodsafety.models import CertificateKind
from houqin.foodsafety.tests.conftest import actor_of, certify, days, publish_menu
from houqin.org.models import Role
from houqin.stock.tests.conftest import make_store
from houqin.testing import MISSING, pdf_bytes, run_matrix

pytestmark = pytest.mark.django_db

ROUTES = [
    ("/k/{kg}/foodsafety/", "foodsafety.view", None),
    ("/k/{kg}/foodsafety/samples/", "foodsafety.view", None),
    ("/k/{kg}/foodsafety/samples/new/", "foodsafety.sample.record", None),
    ("/k/{kg}/foodsafety/tableware/", "foodsafety.view", None),
    ("/k/{kg}/foodsafety/tableware/new/", "foodsafety.tableware.record", None),
    ("/k/{kg}/foodsafety/production/", "foodsafety.view", None),
    ("/k/{kg}/foodsafety/production/new/", "foodsafety.production.record", None),
    ("/k/{kg}/foodsafety/duties/", "foodsafety.view", None),
    ("/k/{kg}/foodsafety/duties/new/daily/", "foodsafety.duty.record", None),
    ("/k/{kg}/foodsafety/duties/{code}/", "foodsafety.view", "duty"),
    ("/k/{kg}/foodsafety/meals/", "foodsafety.view", None),
    ("/k/{kg}/foodsafety/meals/new/", "foodsafety.accompany.record", None),
    ("/k/{kg}/foodsafety/receiving/", "foodsafety.view", None),
    ("/k/{kg}/foodsafety/receiving/new/", "foodsafety.receiving.record", None),
    ("/k/{kg}/foodsafety/receiving/{code}/", "foodsafety.view", "receipt"),
    ("/k/{kg}/foodsafety/certificates/", "foodsafety.view", None),
    ("/k/{kg}/foodsafety/certificates/new/", "foodsafety.certificate.change", None),
    ("/k/{kg}/foodsafety/certificates/{code}/scan/", "foodsafety.view", "certificate"),
    ("/k/{kg}/foodsafety/expiry-checks/", "foodsafety.view", None),
    ("/k/{kg}/foodsafety/expiry-checks/new/", "foodsafety.expiry.check", None),
    ("/k/{kg}/foodsafety/expiry-checks/{code}/", "foodsafety.view", "check"),
    ("/k/{kg}/foodsafety/hygiene/", "foodsafety.view", None),
    ("/k/{kg}/foodsafety/hygiene/new/", "foodsafety.hygiene.inspect", None),
    ("/k/{kg}/foodsafety/hygiene/checklist/", "foodsafety.hygiene.template", None),
    ("/k/{kg}/foodsafety/hygiene/{code}/", "foodsafety.view", "hygiene"),
    ("/k/{kg}/foodsafety/rules/", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/rules", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/todos", "foodsafety.oversee", None),
    ("/api/k/{kg}/foodsafety/certificates", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/certificates/{code}", "foodsafety.view", "certificate"),
    ("/api/k/{kg}/foodsafety/receipts", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/receipts/{code}", "foodsafety.view", "receipt"),
    ("/api/k/{kg}/foodsafety/kitchen", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/samples", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/samples/{code}", "foodsafety.view", "sample"),
    ("/api/k/{kg}/foodsafety/expiry-checks", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/expiry-checks/{code}", "foodsafety.view", "check"),
    ("/api/k/{kg}/foodsafety/hygiene", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/hygiene/checklist", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/hygiene/{code}", "foodsafety.view", "hygiene"),
    ("/api/k/{kg}/foodsafety/tableware", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/production", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/production/waste", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/production/{code}", "foodsafety.view", "production"),
    ("/api/k/{kg}/foodsafety/duties", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/duties/items", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/duties/{code}", "foodsafety.view", "duty"),
    ("/api/k/{kg}/foodsafety/meals", "foodsafety.view", None),
    ("/k/{kg}/foodsafety/pests/", "foodsafety.view", None),
    ("/k/{kg}/foodsafety/pests/new/", "foodsafety.pest.record", None),
    ("/k/{kg}/foodsafety/water/", "foodsafety.view", None),
    ("/k/{kg}/foodsafety/water/units/new/", "foodsafety.water.units", None),
    ("/k/{kg}/foodsafety/water/filters/new/", "foodsafety.water.record", None),
    ("/k/{kg}/foodsafety/water/tests/new/", "foodsafety.water.record", None),
    ("/k/{kg}/foodsafety/water/tests/{code}/report/", "foodsafety.view", "water_test"),
    ("/api/k/{kg}/foodsafety/pests", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/pests/due", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/pests/{code}", "foodsafety.view", "pest"),
    ("/api/k/{kg}/foodsafety/water/units", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/water/units/{code}", "foodsafety.view", "unit"),
    ("/api/k/{kg}/foodsafety/water/filters", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/water/filters/{code}", "foodsafety.view", "filter"),
    ("/api/k/{kg}/foodsafety/water/tests", "foodsafety.view", None),
    ("/api/k/{kg}/foodsafety/water/tests/{code}", "foodsafety.view", "water_test"),
]


def _records(world, k):
    from django.core.files.uploadedfile import SimpleUploadedFile

    store = make_store(world, k)
    certify(world, store, k)
    menu = publish_menu(world, k)
    canteen = actor_of(world, Role.CANTEEN, k)
    director = actor_of(world, Role.DIRECTOR, k)
    receipt = services.receipt_create(actor=canteen, supplier=store.supplier, warehouse=store.food, lines=[
        {"item": store.rice, "quantity": "10", "unit_price": "2", "production_date": days(-3), "shelf_life_days": 90}])
    cert = services.certificate_create(actor=canteen, supplier=store.supplier, kind=CertificateKind.OTHER,
                                       number="X", valid_until=days(90),
                                       scan=SimpleUploadedFile("a.pdf", pdf_bytes()))
    sample = services.sample_record(actor=canteen, day=timezone.localdate(), meal="lunch",
                                    dish_code=menu.dishes[0].code, weight_grams="130", fridge="1")
    check = services.expiry_check_create(actor=canteen, warehouse=store.food)
    hygiene = services.hygiene_inspection_create(
        actor=director, results={i.code: {"passed": True} for i in services.hygiene_items(getattr(world, k).kg)})
    made = production.production_record(
        actor=canteen, day=timezone.localdate(), meal="lunch", dish_code=menu.dishes[0].code, planned_portions=50,
        served_portions=48, cooked_kg="6", served_kg="5.5", leftover_kg="0.3", plate_waste_kg="0.4",
        cooked_at=timezone.localtime() - dt.timedelta(hours=1), served_at=timezone.localtime())
    duty = duties.duty_record(actor=director, kind="daily",
                              results={key: {"passed": True} for key, _t in duties.duty_items("daily")})
    pest = logs.pest_record(actor=canteen, place="厨房", kind="rodent", method="粘鼠板")
    unit = logs.water_unit_save(actor=director, place="中一班", kind="direct")
    change = logs.filter_change_record(actor=canteen, unit=unit)
    water_test = logs.water_test_record(actor=canteen, unit=unit, tester="lab", lab="区疾控中心", passed=True,
                                        report=SimpleUploadedFile("w.pdf", pdf_bytes()))
    return {"receipt": receipt, "certificate": cert, "sample": sample, "check": check, "hygiene": hygiene,
            "production": made, "duty": duty, "pest": pest, "unit": unit, "filter": change,
            "water_test": water_test}


def test_the_matrix_of_food_safety(world):
    k1, k2 = _records(world, "k1"), _records(world, "k2")
    objects = {kind: {"k1": k1[kind], "other_kg": k2[kind], "missing": MISSING} for kind in k1}
    mismatches, checked = run_matrix(world, ROUTES, objects)
    assert not mismatches, "\n".join(mismatches[:30])
    assert checked > 600


def test_posts_follow_the_same_policy(world, login):
    k1 = _records(world, "k1")
    # a class teacher may not record a sample or void a receipt; the canteen may not void either
    teacher = login(world.k1.users[Role.CLASS_TEACHER])
    assert teacher.post("/k/k1/foodsafety/samples/new/", {}).status_code == 403
    canteen = login(world.k1.users[Role.CANTEEN])
    url = f"/k/k1/foodsafety/records/receipt/{k1['receipt'].code}/void/"
    assert canteen.post(url, {"reason": "x"}).status_code == 403
    # the director may, but the retention date refuses it and nothing changes
    director = login(world.k1.users[Role.DIRECTOR])
    assert director.post(url, {"reason": "录错"}).status_code == 302
    k1["receipt"].refresh_from_db()
    assert not k1["receipt"].is_voided
    # another kindergarten's record looks missing
    k2 = _records(world, "k2")
    assert director.post(f"/k/k1/foodsafety/records/receipt/{k2['receipt'].code}/void/",
                         {"reason": "x"}).status_code == 404
    response = canteen.post(f"/api/k/k1/foodsafety/samples/{k2['sample'].code}/discard", {},
                            content_type="application/json")
    assert response.status_code == 404
