"""The demo term of health care: attendance of every school day for every child (the canteen reads it),
checks, exams with growth results, vaccination with catch-up partly done, and the planted
hand-foot-mouth cluster that fires its rule with a prefilled report."""

import pytest

from houqin.health import selectors
from houqin.health.models import (
    Attendance,
    CatchUp,
    CheckSession,
    DiseaseCase,
    Exam,
    OutbreakAlert,
    VaccinationCheck,
)
from houqin.org import demo
from houqin.org.demo import DEMO_STEPS
from houqin.org.models import Child, Kindergarten

pytestmark = pytest.mark.django_db


def test_the_demo_term_of_health_care(demo_built):
    result = demo_built
    assert any(s.__module__ == "houqin.health.demo" for s in DEMO_STEPS)  # discovered by build_demo
    assert result["counts"]["attendance"] > 30000
    kg = Kindergarten.objects.get(slug="demo")
    dates = demo.dates_for()
    days = list(dates.past_days)
    # every school day, every enrolled child, in both kindergartens
    for slug in ("demo", "demo2"):
        k = Kindergarten.objects.get(slug=slug)
        children = Child.objects.filter(kindergarten=k, voided_at__isnull=True).count()
        assert Attendance.objects.filter(kindergarten=k).count() >= 0.95 * children * len(days)
        assert set(Attendance.objects.filter(kindergarten=k).values_list("date", flat=True).distinct()) == set(
            dates.days)
    present = selectors.child_days(kindergarten=kg, start=days[0], end=days[-1])
    recorded = Attendance.objects.filter(kindergarten=kg, date__lt=dates.today).count()
    assert 0.9 < present / recorded < 0.99  # a few per cent on leave
    assert CheckSession.objects.filter(kindergarten=kg, date__lt=dates.today).count() == len(days) * kg_classes(kg)
    # 9 a.m. today: some classes checked, some still to check, one fever sent home
    assert 0 < CheckSession.objects.filter(kindergarten=kg, date=dates.today).count() < kg_classes(kg)
    # exams assessed by the national standard (WS/T 423-2022), the standard recorded; 矫治 follow-ups
    exams = Exam.objects.filter(kindergarten=kg)
    assert exams.count() > 1000 and exams.exclude(results=[]).exists()
    assert set(exams.values_list("standard", flat=True)) == {"wst423_2022"}
    from houqin.health.models import Correction

    corrections = Correction.objects.filter(kindergarten=kg)
    assert set(corrections.values_list("kind", flat=True)) == {"anaemia", "vision", "caries"}
    assert corrections.filter(resolved_on__isnull=False).exists() and corrections.filter(resolved_on=None).exists()
    # vaccination: checked, some doses missing, catch-up partly done
    assert VaccinationCheck.objects.filter(kindergarten=kg).count() > 500
    statuses = set(CatchUp.objects.filter(kindergarten=kg).values_list("status", flat=True))
    assert statuses == {"pending", "done"}
    # the planted cluster fired its rule with the report
    alert = OutbreakAlert.objects.get(kindergarten=kg)
    assert alert.rule_key == "hfmd_class" and alert.school_class.name == "小二班" and alert.case_count == 2
    names = DiseaseCase.objects.filter(kindergarten=kg, disease="hfmd").values_list("child__name", flat=True)
    assert all(n in alert.report_text for n in names)
    assert alert.report_made_at.date() == dates.back(2)
    assert not OutbreakAlert.objects.filter(kindergarten__slug="demo2").exists()


def kg_classes(kg):
    from houqin.org.models import SchoolClass

    return SchoolClass.objects.filter(kindergarten=kg).count()

