"""The demo term of the staff area has its planted cases."""

import datetime as dt

import pytest

from houqin.org import demo
from houqin.staff.models import Assessment, ActionItem, Deduction, HealthCertificate, Training

pytestmark = pytest.mark.django_db


def test_the_demo_term_of_the_staff(demo_built):
    dates = demo.dates_for()
    planted = Deduction.objects.get(kindergarten__slug="demo", note__startswith="午餐前未消毒桌面")
    assert planted.factor == 2 and planted.trained_in.date == dates.moved(dt.date(2026, 9, 18))
    assert Assessment.objects.filter(kindergarten__slug="demo", month=dt.date(2026, 10, 1), status="confirmed").exists()
    assert {"六T管理", "食品添加剂的种类及对人体的危害"} <= set(
        Training.objects.filter(kindergarten__slug="demo").values_list("topic__name", flat=True))
    assert ActionItem.objects.filter(kindergarten__slug="demo", done_at__isnull=True,
                                     due_date__lt=dates.today).count() == 1
    certs = HealthCertificate.objects.filter(kindergarten__slug="demo")
    assert certs.filter(expires_on__lt=dates.today).count() == 1
    assert certs.filter(expires_on__range=(dates.today, dates.today + dt.timedelta(days=30))).count() >= 1


def test_the_demo_has_nap_time_rounds(demo_built):
    from houqin.staff.models import NapRound

    rounds = NapRound.objects.filter(kindergarten__slug="demo")
    days = sorted(set(rounds.values_list("date", flat=True)))
    assert len(days) == 5
    assert [r.findings for r in rounds.filter(date=days[-1]) if r.findings] == [["covers"]]
    assert rounds.filter(date=days[-2]).count() == 3  # the 14:00 round missed
