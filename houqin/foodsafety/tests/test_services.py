"""The rules of food safety, through the services: receiving with certificates, samples (weight,
48 hours), expiry checks with disposal through the ledger, hygiene, and retention (never deleted,
not voided before the retention date). Bad input changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from houqin.core import rules as core_rules
from houqin.core.errors import Conflict, DomainError, Forbidden
from houqin.core.models import ProtectedRecordError
from houqin.foodsafety import selectors, services
from houqin.foodsafety.models import (
    BatchState,
    CertificateKind,
    FigureKey,
    HygieneResult,
    Receipt,
    ReceiptLine,
    Sample,
    SupplierCertificate,
)
from houqin.foodsafety.tests.conftest import actor_of, days, publish_menu
from houqin.org.models import Role
from houqin.stock.models import Batch, Movement, MovementKind
from houqin.testing import image_bytes, pdf_bytes

pytestmark = pytest.mark.django_db

PNG = image_bytes("PNG", size=(1, 1))


def _line(store, **kw):
    return {"item": store.rice, "quantity": "50", "unit_price": "2.60", "production_date": days(-5),
            "shelf_life_days": 180, "batch_no": "B1", **kw}


def _nothing_saved():
    assert Receipt.objects.count() == 0
    assert ReceiptLine.objects.count() == 0
    assert Movement.objects.count() == 0
    assert Receipt.history.count() == 0


# --- rule figures ---------------------------------------------------------------------------------


def test_rule_figures_are_seeded_with_source_and_status_and_can_be_overridden(world, director):
    figures = services.rule_figures(world.k1.kg)
    grams = figures[FigureKey.SAMPLE_MIN_GRAMS]
    assert grams.value == Decimal("125") and grams.status == "unconfirmed" and "GB 31654" in grams.source
    assert grams.unconfirmed
    months = figures[FigureKey.PURCHASE_RECORD_MONTHS]
    assert months.value == 6 and months.status == "confirmed" and "第五十条" in months.source
    with pytest.raises(DomainError) as exc:
        core_rules.override_set(actor=director, area="foodsafety", key=grams.key, value="150", source="")
    assert exc.value.errors[0]["field"] == "source"
    row = core_rules.override_set(actor=director, area="foodsafety", key=grams.key, value="150",
                                  source="城南区市场监管局 2026 年通知")
    grams = services.rule_figures(world.k1.kg)[FigureKey.SAMPLE_MIN_GRAMS]
    assert grams.value == 150 and grams.status == core_rules.OWN and grams.overridden and not grams.unconfirmed
    assert grams.shipped_value == 125 and "GB 31654" in grams.shipped_source
    assert row.history.count() == 1
    # another kindergarten keeps the shipped figure
    assert services.rule_figures(world.k2.kg)[FigureKey.SAMPLE_MIN_GRAMS].value == 125
    with pytest.raises(Forbidden):
        core_rules.override_set(actor=actor_of(world, Role.CANTEEN), area="foodsafety", key=grams.key, value="100",
                                source="x")


# --- certificates ---------------------------------------------------------------------------------


def test_a_certificate_scan_must_be_an_image_or_a_pdf_by_its_content(world, store, canteen):
    fake = SimpleUploadedFile("licence.pdf", b"MZ\x90\x00 this is a program", content_type="application/pdf")
    with pytest.raises(DomainError) as exc:
        services.certificate_create(actor=canteen, supplier=store.supplier, kind=CertificateKind.INSPECTION_REPORT,
                                    number="R-1", valid_until=days(100), product="大米", scan=fake)
    assert exc.value.errors[0]["field"] == "scan"
    assert "JPEG, PNG or WebP image or a PDF" in exc.value.errors[0]["message"]
    assert SupplierCertificate.objects.count() == 2  # the two of the fixture only
    pdf = SimpleUploadedFile("scan.bin", pdf_bytes(), content_type="application/octet-stream")
    cert = services.certificate_create(actor=canteen, supplier=store.supplier, kind=CertificateKind.INSPECTION_REPORT,
                                       number="R-1", valid_until=days(100), product="大米", scan=pdf)
    assert cert.scan.name.endswith(".pdf")
    png = SimpleUploadedFile("photo.jpg", PNG, content_type="image/jpeg")
    cert = services.certificate_create(actor=canteen, supplier=store.supplier, kind=CertificateKind.OTHER,
                                       number="Q-1", valid_until=days(100), scan=png)
    assert cert.scan.name.endswith(".png")
    with pytest.raises(DomainError) as exc:
        services.certificate_create(actor=canteen, supplier=store.supplier, kind=CertificateKind.BUSINESS_LICENCE,
                                    number="", valid_until=None)
    assert {e["field"] for e in exc.value.errors} == {"number", "valid_until"}


# --- receiving ------------------------------------------------------------------------------------


def test_canteen_staff_receive_a_delivery_into_the_food_store_and_the_kitchen(world, store, canteen):
    receipt = services.receipt_create(actor=canteen, supplier=store.supplier, warehouse=store.food, lines=[
        _line(store),
        _line(store, item=store.eggs, quantity="10", unit_price="6", shelf_life_days=None,
              expiry_date=days(20), to_kitchen=True, is_chilled=True, temperature="4.5"),
        _line(store, item=store.eggs, quantity="3", smell_ok=False, accepted=False, reject_reason="有异味"),
    ])
    lines = list(receipt.lines.order_by("pk"))
    assert receipt.inspector == world.k1.users[Role.CANTEEN]
    rice = lines[0].movement.batch
    assert rice.warehouse == store.food and rice.quantity == 50 and rice.supplier == store.supplier
    assert rice.production_date == days(-5) and rice.expiry_date == days(175)
    assert lines[0].movement.created_by == world.k1.users[Role.CANTEEN]
    eggs = lines[1].movement.batch
    assert eggs.quantity == 0  # straight to the kitchen: received and issued the same day
    assert Movement.objects.filter(batch=eggs, kind=MovementKind.ISSUE_KITCHEN, quantity=-10).exists()
    assert lines[2].movement is None and not lines[2].accepted
    # kept until the shelf life + 6 months, and at least 2 years after the receipt
    assert lines[0].retain_until == services.add_months(timezone.localdate(), 24)
    long_life = services.receipt_create(actor=canteen, supplier=store.supplier, warehouse=store.food,
                                        lines=[_line(store, shelf_life_days=None, expiry_date=days(900))])
    assert long_life.retain_until == services.add_months(days(900), 6)


@pytest.mark.parametrize("case", ["future", "expiry_before_production", "unknown_supplier", "sensory", "warm",
                                  "no_reason", "expired_food", "not_food"])
def test_bad_deliveries_are_refused_with_a_clear_message_and_nothing_saved(world, store, canteen, case):
    supplier, kwargs, line = store.supplier, {}, _line(store)
    if case == "future":
        kwargs["received_on"] = days(1)
    elif case == "expiry_before_production":
        line.update(shelf_life_days=None, expiry_date=days(-6))
    elif case == "unknown_supplier":
        supplier = None
    elif case == "sensory":
        line.update(look_ok=False)
    elif case == "warm":
        line.update(item=store.eggs, is_chilled=True, temperature="12")
    elif case == "no_reason":
        line.update(accepted=False)
    elif case == "expired_food":
        line.update(shelf_life_days=None, production_date=days(-30), expiry_date=days(-1))
    elif case == "not_food":
        line.update(item=store.tissues)
    with pytest.raises(DomainError) as exc:
        services.receipt_create(actor=canteen, supplier=supplier, warehouse=store.food, lines=[line], **kwargs)
    message = " ".join(e["message"] for e in exc.value.errors)
    expected = {
        "future": "date of receipt is in the future", "expiry_before_production": "before the production date",
        "unknown_supplier": "unknown supplier", "sensory": "look / touch / smell", "warm": "above 8 °C",
        "no_reason": "reason for rejecting", "expired_food": "must be rejected", "not_food": "is not food",
    }[case]
    assert expected in message
    _nothing_saved()


def test_a_supplier_with_an_expired_certificate_is_refused_unless_the_director_overrides(world, store, canteen,
                                                                                       director):
    licence = SupplierCertificate.objects.get(supplier=store.supplier, kind=CertificateKind.FOOD_LICENCE)
    SupplierCertificate.objects.filter(pk=licence.pk).update(valid_until=days(-1))
    with pytest.raises(DomainError) as exc:
        services.receipt_create(actor=canteen, supplier=store.supplier, warehouse=store.food, lines=[_line(store)])
    assert "expired on" in exc.value.message and "cannot be accepted" in exc.value.message
    _nothing_saved()
    # a rejected-only delivery is still recorded
    services.receipt_create(actor=canteen, supplier=store.supplier, warehouse=store.food,
                            lines=[_line(store, accepted=False, reject_reason="证照过期")])
    # the kindergarten allows the director to accept with a reason
    services.settings_update(actor=director, allow_certificate_override=True)
    with pytest.raises(DomainError):
        services.receipt_create(actor=canteen, supplier=store.supplier, warehouse=store.food, lines=[_line(store)],
                                override_reason="急需")
    with pytest.raises(DomainError) as exc:
        services.receipt_create(actor=director, supplier=store.supplier, warehouse=store.food, lines=[_line(store)])
    assert exc.value.errors[0]["field"] == "override_reason"
    receipt = services.receipt_create(actor=director, supplier=store.supplier, warehouse=store.food,
                                      lines=[_line(store)], override_reason="新证已办理，复印件明日送达")
    assert receipt.override_by == world.k1.users[Role.DIRECTOR] and receipt.override_reason.startswith("新证")
    # a renewed certificate lifts the refusal
    services.certificate_create(actor=canteen, supplier=store.supplier, kind=CertificateKind.FOOD_LICENCE,
                                number="JY-2", valid_until=days(365))
    services.receipt_create(actor=canteen, supplier=store.supplier, warehouse=store.food, lines=[_line(store)])


def test_other_kindergartens_objects_look_missing(world, store, canteen):
    from django.http import Http404

    from houqin.stock.tests.conftest import make_store

    other = make_store(world, "k2")
    with pytest.raises(Http404):
        services.receipt_create(actor=canteen, supplier=other.supplier, warehouse=store.food, lines=[_line(store)])


# --- samples --------------------------------------------------------------------------------------


def test_samples_weight_duplicate_and_the_48_hour_rule(world, store, canteen):
    menu = publish_menu(world)
    today = timezone.localdate()
    dish = menu.dishes[0]
    with pytest.raises(DomainError) as exc:
        services.sample_record(actor=canteen, day=today, meal="lunch", dish_code=dish.code, weight_grams="124.9",
                               fridge="留样冰箱1")
    assert "at least 125 g" in exc.value.message
    assert Sample.objects.count() == 0 and Sample.history.count() == 0
    with pytest.raises(DomainError) as exc:
        services.sample_record(actor=canteen, day=today, meal="breakfast", dish_code=dish.code, weight_grams="130",
                               fridge="留样冰箱1")
    assert "not on the published menu" in exc.value.message
    with pytest.raises(DomainError) as exc:
        services.sample_record(actor=canteen, day=today, meal="lunch", dish_code=dish.code, weight_grams="130",
                               fridge="留样冰箱1", fridge_temperature="12")
    assert "0–8 °C" in exc.value.message
    put_in = timezone.now() - dt.timedelta(hours=49)
    sample = services.sample_record(actor=canteen, day=today, meal="lunch", dish_code=dish.code, weight_grams="125",
                                    fridge="留样冰箱1", stored_at=put_in, fridge_temperature="4")
    assert sample.discard_due == put_in + dt.timedelta(hours=48) and sample.dish_name == "番茄炒蛋"
    with pytest.raises(Conflict):
        services.sample_record(actor=canteen, day=today, meal="lunch", dish_code=dish.code, weight_grams="140",
                               fridge="留样冰箱1")
    with pytest.raises(Conflict) as exc:
        services.sample_discard(actor=canteen, sample=sample, at=put_in + dt.timedelta(hours=47))
    assert "kept only 47 hours" in exc.value.message
    sample.refresh_from_db()
    assert sample.discarded_at is None and sample.history.count() == 1
    at = put_in + dt.timedelta(hours=48)
    services.sample_discard(actor=canteen, sample=sample, at=at)
    sample.refresh_from_db()
    assert sample.discarded_at == at and sample.discarded_by == world.k1.users[Role.CANTEEN]
    with pytest.raises(Conflict):
        services.sample_discard(actor=canteen, sample=sample)


def test_the_database_itself_refuses_an_early_discard_and_a_hard_delete(world, store, canteen):
    menu = publish_menu(world)
    sample = services.sample_record(actor=canteen, day=timezone.localdate(), meal="lunch",
                                    dish_code=menu.dishes[0].code, weight_grams="150", fridge="1号")
    with pytest.raises(IntegrityError), transaction.atomic():
        Sample.objects.filter(pk=sample.pk).update(discarded_at=sample.stored_at + dt.timedelta(hours=1))
    with pytest.raises(ProtectedRecordError):
        sample.delete()
    with pytest.raises(ProtectedRecordError):
        Sample.objects.all().delete()


def test_an_overridden_minimum_weight_applies(world, store, canteen, director):
    menu = publish_menu(world)
    core_rules.override_set(actor=director, area="foodsafety", key=FigureKey.SAMPLE_MIN_GRAMS, value="100",
                            source="地方规定")
    services.sample_record(actor=canteen, day=timezone.localdate(), meal="lunch", dish_code=menu.dishes[0].code,
                           weight_grams="110", fridge="1号")


# --- retention ------------------------------------------------------------------------------------


def test_records_cannot_be_voided_before_their_retention_date(world, store, canteen, director):
    receipt = services.receipt_create(actor=canteen, supplier=store.supplier, warehouse=store.food,
                                      lines=[_line(store)])
    with pytest.raises(Conflict) as exc:
        services.void_record(actor=director, record=receipt, reason="录错")
    assert "must be kept until" in exc.value.message
    receipt.refresh_from_db()
    assert not receipt.is_voided
    with pytest.raises(ProtectedRecordError):
        receipt.delete()
    with pytest.raises(Forbidden):
        services.void_record(actor=canteen, record=receipt, reason="录错")
    Receipt.objects.filter(pk=receipt.pk).update(retain_until=days(-1))
    receipt.refresh_from_db()
    services.void_record(actor=director, record=receipt, reason="超过保存期限，录入有误")
    receipt.refresh_from_db()
    assert receipt.is_voided and receipt.voided_by == world.k1.users[Role.DIRECTOR]


# --- expiry checks --------------------------------------------------------------------------------


def test_an_expiry_check_lists_every_batch_and_disposal_goes_through_the_ledger(world, store, canteen, director):
    from houqin.stock import services as stock

    keeper = actor_of(world, Role.STOREKEEPER)
    old = stock.receive(actor=keeper, warehouse=store.food, item=store.rice, quantity="20", unit_cost="2",
                        supplier=store.supplier, production_date=days(-100), expiry_date=days(3),
                        occurred_on=days(-10))
    fresh = stock.receive(actor=keeper, warehouse=store.food, item=store.rice, quantity="30", unit_cost="2",
                          supplier=store.supplier, production_date=days(-2), expiry_date=days(200))
    Batch.objects.filter(pk=old.batch_id).update(expiry_date=days(-1))  # it expired since
    check = services.expiry_check_create(actor=canteen, warehouse=store.food,
                                         results={fresh.batch.code: {"certificate_ok": False, "note": "无检验报告"}})
    lines = {line.batch_id: line for line in check.lines.all()}
    assert set(lines) == {old.batch_id, fresh.batch_id}
    assert lines[old.batch_id].state == BatchState.EXPIRED and lines[old.batch_id].certificate_ok
    assert lines[fresh.batch_id].state == BatchState.OK and not lines[fresh.batch_id].certificate_ok
    with pytest.raises(Forbidden):
        services.expiry_line_dispose(actor=canteen, line=lines[old.batch_id], quantity="20", reason="过期",
                                     witness=world.k1.users[Role.HEALTH_TEACHER])
    with pytest.raises(DomainError) as exc:
        services.expiry_line_dispose(actor=director, line=lines[old.batch_id], quantity="20", reason="过期",
                                     witness=None)
    assert exc.value.errors[0]["field"] == "witness"
    line = services.expiry_line_dispose(actor=director, line=lines[old.batch_id], quantity="20", reason="过期销毁",
                                        witness=world.k1.users[Role.HEALTH_TEACHER])
    assert line.disposal.kind == MovementKind.DISPOSAL_EXPIRED and line.disposal.quantity == -20
    assert line.disposal.witness == world.k1.users[Role.HEALTH_TEACHER]
    assert Batch.objects.get(pk=old.batch_id).quantity == 0


def test_check_periods_are_half_months():
    assert selectors.check_period(dt.date(2026, 11, 21), 15) == (dt.date(2026, 11, 16), dt.date(2026, 11, 30))
    assert selectors.check_period(dt.date(2026, 10, 31), 15) == (dt.date(2026, 10, 16), dt.date(2026, 10, 31))
    assert selectors.check_period(dt.date(2026, 2, 3), 15) == (dt.date(2026, 2, 1), dt.date(2026, 2, 15))
    assert len(selectors.periods_between(dt.date(2026, 9, 1), dt.date(2026, 11, 30), 15)) == 6


# --- hygiene and tableware ------------------------------------------------------------------------


def test_a_failed_hygiene_item_gets_a_deadline_and_becomes_a_hazard(world, director):
    health = actor_of(world, Role.HEALTH_TEACHER)
    items = list(services.hygiene_items(world.k1.kg))
    assert len(items) == 12 and items[0].area == "六T"
    answers = {item.code: {"passed": True} for item in items}  # every item is answered
    with pytest.raises(DomainError):
        services.hygiene_inspection_create(actor=health, results={**answers, items[1].code: {"passed": False}})
    with pytest.raises(DomainError):  # an item left unanswered
        services.hygiene_inspection_create(actor=health, results={items[1].code: {"passed": False, "note": "x"}})
    inspection = services.hygiene_inspection_create(
        actor=health, results={**answers, items[1].code: {"passed": False, "note": "调料未标识"}})
    failed = HygieneResult.objects.get(inspection=inspection, passed=False)
    assert failed.deadline == timezone.localdate() + dt.timedelta(days=3)
    from houqin.safety.models import Hazard

    hazard = Hazard.objects.get(code=failed.hazard_code)
    assert "调料未标识" in hazard.description and hazard.kindergarten == world.k1.kg
    assert inspection.results.filter(passed=True).count() == 11
    # the kindergarten edits its checklist
    services.hygiene_item_save(actor=director, text="消毒液配比正确并记录", area="消毒")
    assert services.hygiene_items(world.k1.kg).count() == 13


def test_the_tableware_log_is_one_entry_per_meal(world, canteen):
    services.tableware_record(actor=canteen, day=None, meal="lunch", method="cabinet", minutes=30, temperature=120)
    with pytest.raises(Conflict):
        services.tableware_record(actor=canteen, day=None, meal="lunch", method="steam", minutes=20, temperature=100)
    with pytest.raises(DomainError) as exc:
        services.tableware_record(actor=canteen, day=days(1), meal="lunch", method="x", minutes=0)
    assert {e["field"] for e in exc.value.errors} == {"day", "method", "minutes"}
