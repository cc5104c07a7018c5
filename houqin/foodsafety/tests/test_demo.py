"""The demo term of food safety: records consistent with the storeroom's ledger, and the director's
to-dos on the day after the demo term are exactly the planted gaps (judged against that day)."""

import datetime as dt

import pytest
from django.utils import timezone

from houqin.foodsafety import services
from houqin.foodsafety.demo import OVERRIDE_REASON, planted
from houqin.foodsafety.models import ExpiryCheck, Receipt, ReceiptLine, Sample, SupplierCertificate
from houqin.foodsafety.navigation import todos_on
from houqin.org import demo
from houqin.org.models import Kindergarten

pytestmark = pytest.mark.django_db


def test_the_demo_term_and_its_planted_gaps(demo_built):
    dates = demo.dates_for()
    TODAY, DEMO_END = dates.today, dates.last_day
    kg = Kindergarten.objects.get(slug="demo")
    assert Receipt.objects.filter(kindergarten=kg).count() > 50
    assert ReceiptLine.objects.filter(kindergarten=kg, accepted=False).exclude(reject_reason="").exists()
    for line in ReceiptLine.objects.filter(accepted=True).select_related("movement__batch", "receipt")[:200]:
        assert line.movement.batch.supplier_id == line.receipt.supplier_id
        assert line.retain_until >= line.receipt.received_on + dt.timedelta(days=365 * 2)
    assert not Sample.objects.filter(weight_grams__lt=125).exists()
    assert ExpiryCheck.objects.filter(kindergarten=kg).count() >= 5

    plan = planted("demo", dates)
    nine = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(9)))
    todos = todos_on(kg, today=TODAY, now=nine)
    found = sorted((t.extra["kind"], t.urgency, str(t.due)) for t in todos if t.due != TODAY)
    expected = [("certificate_expired", 3, str(plan["certificate_expired_on"])),
                ("certificate_expiring", 2, str(plan["certificate_expiring_on"])),
                ("check_missed", 3, str(plan["check_missed"][1]))]
    if services.served_dishes(kg, DEMO_END):  # the canteen's demo publishes menus: one dish lacks its sample
        expected.append(("sample_missing", 3, str(DEMO_END)))
    assert found == sorted(expected)
    expired = SupplierCertificate.objects.get(kindergarten=kg, valid_until=plan["certificate_expired_on"])
    # nothing accepted from that supplier since its licence expired without the director's recorded override
    after = Receipt.objects.filter(kindergarten=kg, supplier_id=expired.supplier_id,
                                   received_on__gt=expired.valid_until)
    assert not after.filter(override_by__isnull=True).exists()
    assert all(r.override_reason == OVERRIDE_REASON for r in after)
    # the other kindergarten has no gaps at all
    assert [t for t in todos_on(Kindergarten.objects.get(slug="demo2"), today=TODAY, now=nine) if t.due != TODAY] == []
