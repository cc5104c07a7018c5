"""The growth chart of a child's health page: the SD lines of the kindergarten's own growth standard
(WS/T 423-2022 by default, WHO when it chose WHO), axes and lines named in Chinese, the child's
points, drawn by ECharts served from the project's own static files."""

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from houqin.health import growth, services
from houqin.health.models import Exam
from houqin.health.tests.conftest import actor_of
from houqin.org.models import Role

pytestmark = pytest.mark.django_db


def _charts(page: str) -> dict:
    found = re.findall(r'<script id="(growth-[a-z_]+-data)" type="application/json">(.*?)</script>', page, re.S)
    return {key: json.loads(text) for key, text in found}


def test_chart_lines_are_the_standards_sd_values_in_months():
    who = growth.chart("weight_for_age", "F", [(1200, 15.2), (1400, 16.0)], standard=growth.WHO)
    wst = growth.chart("weight_for_age", "F", [(1200, 15.2), (1400, 16.0)], standard=growth.WST423)
    assert set(wst["lines"]) == {"sd-3", "sd-2", "sd-1", "sd0", "sd1", "sd2", "sd3"}
    assert wst["points"] == [[round(1200 / growth.DAYS_PER_MONTH, 1), 15.2], [round(1400 / growth.DAYS_PER_MONTH, 1), 16.0]]
    # the first line point is half a year before the first exam, at the standard's own value
    month, value = wst["lines"]["sd0"][0]
    assert month == round(1020 / growth.DAYS_PER_MONTH, 1)
    assert value == round(growth.sd_values("weight_for_age", "F", age_days=1020)[3], 2)
    lms, _edition = growth.lms_for("weight_for_age", "F", age_days=1020)
    assert who["lines"]["sd-2"][0][1] == round(lms.value_at(-2), 2)
    assert who["lines"]["sd0"] != wst["lines"]["sd0"]
    assert growth.chart("weight_for_age", "F", [], standard=growth.WHO)["lines"] == {}
    with pytest.raises(ValueError):
        growth.chart("weight_for_age", "F", [(1200, 15.2)], standard="cdc2000")


@pytest.mark.parametrize("standard", [growth.WST423, growth.WHO])
def test_the_child_page_draws_the_kindergartens_standard(world, login, standard):
    health = actor_of(world, Role.HEALTH_TEACHER)
    child = world.k1.own_child
    today = timezone.localdate()
    services.exam_record(actor=health, child=child, day=today - dt.timedelta(days=180), height_cm="101.0",
                         weight_kg="15.5")
    services.exam_record(actor=health, child=child, day=today, height_cm="104.0", weight_kg="16.5")
    services.standard_set(actor=actor_of(world, Role.PRINCIPAL), standard=standard)
    for role in (Role.HEALTH_TEACHER, Role.PARENT):
        page = login(world.k1.users[role]).get(f"/k/k1/health/children/{child.code}/").content.decode()
        assert "vendor/echarts/echarts.min.js" in page and "health/growth_chart.js" in page
        assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', page)  # nothing from another host
        charts = _charts(page)
        assert set(charts) == {"growth-weight_for_age-data", "growth-length_height_for_age-data"}
        weight, height = charts["growth-weight_for_age-data"], charts["growth-length_height_for_age-data"]
        exams = sorted(Exam.objects.filter(child=child), key=lambda e: e.age_days)
        expected = growth.chart("weight_for_age", child.sex, [(e.age_days, e.weight_kg) for e in exams],
                                standard=standard)
        assert {line["key"]: line["data"] for line in weight["lines"]} == expected["lines"]
        assert weight["points"] == expected["points"] and [p[1] for p in weight["points"]] == [15.5, 16.5]
        assert [p[1] for p in height["points"]] == [101.0, 104.0]
        assert weight["x_name"] == "年龄（月）" and height["x_name"] == "年龄（月）"
        assert weight["y_name"] == "体重（kg）" and height["y_name"] == "身高（cm）"
        assert [line["name"] for line in weight["lines"]] == ["-3SD", "-2SD", "-1SD", "中位数", "+1SD", "+2SD",
                                                              "+3SD"]
        assert child.name in weight["points_name"] and "测量" in weight["points_name"]
        assert weight["standard"] == ("国家标准（WS/T 423-2022）" if standard == growth.WST423 else "世界卫生组织（WHO）标准")
