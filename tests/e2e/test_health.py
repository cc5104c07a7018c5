"""Browser test of health care on a phone: a class teacher does the morning check of her class in one
page load and one submit (marking only the exceptions); the HFMD cluster fires its rule, and the
health teacher opens the prefilled report to the authority.

Asserts on addresses, data-testid hooks and data, not on label wording.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_morning_check_on_a_phone_and_the_cluster_report(world, page, live_server, sign_in):
    from houqin import policy
    from houqin.health import services
    from houqin.health.models import Attendance, CheckFinding, CheckSession, OutbreakAlert
    from houqin.org.models import Role
    from houqin.testing import ChildFactory

    cls = world.k1.own_class
    kids = [ChildFactory(school_class=cls, name=f"晨检幼儿{i}") for i in range(6)]
    sign_in("teacher")
    page.goto(live_server.url + f"/k/k1/health/check/{cls.code}/")
    rows = page.get_by_test_id("child")
    expect(rows).to_have_count(8)
    # one child has a fever and a sore throat; another is on sick leave with blisters
    feverish = page.locator("details[data-name='晨检幼儿1']")
    feverish.locator("summary").click()
    feverish.locator("input[name$='-temperature']").fill("38.3")
    feverish.locator("label[for$='-f-sore_throat']").click()
    feverish.locator("select[name$='-action']").select_option("parent_called")
    sick = page.locator("details[data-name='晨检幼儿2']")
    sick.locator("summary").click()
    sick.locator("label[for$='-s-sick']").click()
    sick.locator("label[for$='-f-mouth_blisters']").click()
    page.get_by_test_id("submit-check").click()
    page.wait_for_url(re.compile(r"/k/k1/health/\?date="))
    session = CheckSession.objects.get(school_class=cls)
    assert session.checked_count == 7 and session.abnormal_count == 1
    finding = CheckFinding.objects.get()
    assert finding.child == kids[1] and str(finding.temperature) == "38.3"
    assert finding.findings == ["fever", "sore_throat"] and finding.action == "parent_called"
    assert Attendance.objects.get(child=kids[2]).status == "sick"
    assert Attendance.objects.filter(school_class=cls, status="present").count() == 7
    expect(page.get_by_test_id("exceptions")).to_contain_text("晨检幼儿1")

    # two HFMD cases in the class within a week: the rule fires; the health teacher sees the report
    health = policy.actor_for_kindergarten(world.k1.users[Role.HEALTH_TEACHER], world.k1.kg)
    today = timezone.localdate()
    services.case_create(actor=health, child=kids[2], disease="hfmd", onset_date=today - dt.timedelta(days=2),
                         diagnosis_source="hospital")
    services.case_create(actor=health, child=kids[3], disease="hfmd", onset_date=today, diagnosis_source="hospital")
    alert = OutbreakAlert.objects.get()
    page.context.clear_cookies()
    sign_in("health")
    page.goto(live_server.url + "/k/k1/health/")
    expect(page.get_by_test_id("outbreak-alert")).to_have_count(1)
    page.get_by_test_id("outbreak-alert").locator("a").click()
    page.wait_for_url(re.compile(rf"/alerts/{alert.code}/"))
    expect(page.get_by_test_id("report-text")).to_contain_text(kids[2].name)
    expect(page.get_by_test_id("report-text")).to_contain_text(kids[3].name)
    page.get_by_test_id("notify").click()
    page.wait_for_url(re.compile(rf"/alerts/{alert.code}/"))
    alert.refresh_from_db()
    assert alert.notice_code


def test_growth_chart_draws_the_kindergartens_standard_with_echarts(world, page, live_server, sign_in):
    """The child's growth charts are drawn by ECharts from the project's own static files, under the
    Content Security Policy (the console fixture fails on any block), with the WHO lines when the
    kindergarten chose WHO, the axes and the legend in Chinese and the child's two measurements."""
    from houqin import policy
    from houqin.health import growth, services
    from houqin.org.models import Role

    health = policy.actor_for_kindergarten(world.k1.users[Role.HEALTH_TEACHER], world.k1.kg)
    principal = policy.actor_for_kindergarten(world.k1.users[Role.PRINCIPAL], world.k1.kg)
    child = world.k1.own_child
    today = timezone.localdate()
    services.exam_record(actor=health, child=child, day=today - dt.timedelta(days=180), height_cm="101.0",
                         weight_kg="15.5")
    exam = services.exam_record(actor=health, child=child, day=today, height_cm="104.0", weight_kg="16.5")
    services.standard_set(actor=principal, standard=growth.WHO)
    sign_in("parent")
    page.goto(live_server.url + f"/k/k1/health/children/{child.code}/")
    chart = page.get_by_test_id("growth-weight_for_age")
    expect(chart.locator("canvas")).to_have_count(1)
    option = page.evaluate("""() => {
        const o = echarts.getInstanceByDom(document.querySelector("[data-testid='growth-weight_for_age']")).getOption();
        return {x: o.xAxis[0].name, y: o.yAxis[0].name, names: o.series.map(s => s.name),
                median: o.series[3].data[0], points: o.series[7].data};
    }""")
    assert option["x"] == "年龄（月）" and option["y"] == "体重（kg）"
    assert option["names"][:7] == ["-3SD", "-2SD", "-1SD", "中位数", "+1SD", "+2SD", "+3SD"]
    assert [p[1] for p in option["points"]] == [15.5, 16.5]
    who = growth.chart("weight_for_age", child.sex, [(exam.age_days - 180, 15.5), (exam.age_days, 16.5)],
                       standard=growth.WHO)
    assert option["median"] == who["lines"]["sd0"][0]


def test_fever_at_the_check_alerts_the_health_teacher_who_observes_and_sends_the_child_home(world, page, live_server,
                                                                                          sign_in):
    """Fever → alert → all-day observation → sent home, on a phone: the class teacher cannot submit a fever
    without an action; the health teacher's home shows the alarm at once (the same request that saved
    the check made it); she records an observation and the child's collection; the parent has a notice."""
    from houqin.health.models import HealthObservation
    from houqin.notices.models import Notice
    from houqin.testing import ChildFactory

    cls = world.k1.own_class
    child = ChildFactory(school_class=cls, name="发热幼儿")
    sign_in("teacher")
    page.goto(live_server.url + f"/k/k1/health/check/{cls.code}/")
    row = page.locator("details[data-name='发热幼儿']")
    row.locator("summary").click()
    row.locator("input[name$='-temperature']").fill("38.5")
    page.get_by_test_id("submit-check").click()
    # refused without an action, nothing saved
    expect(page.locator(".alert-danger, .invalid-feedback, [role=alert]").first).to_be_visible()
    assert not HealthObservation.objects.exists()
    row = page.locator("details[data-name='发热幼儿']")
    if not row.get_attribute("open"):
        row.locator("summary").click()
    row.locator("input[name$='-temperature']").fill("38.5")
    row.locator("select[name$='-action']").select_option("observe")
    page.get_by_test_id("submit-check").click()
    page.wait_for_url(re.compile(r"/k/k1/health/\?date="))
    obs = HealthObservation.objects.get(child=child)
    assert obs.status == "observing"

    page.context.clear_cookies()
    sign_in("health")
    page.goto(live_server.url + "/k/k1/")
    alarm = page.get_by_test_id("todos").locator(f"a[href$='/observation/{obs.code}/']").first
    expect(alarm).to_contain_text("发热幼儿")
    alarm.click()
    page.wait_for_url(re.compile(rf"/observation/{obs.code}/$"))
    expect(page.get_by_test_id("observation-status")).to_contain_text("观察")
    page.locator("#obs-t").fill("38.9")
    page.locator("#obs-a").select_option("parent_called")
    page.get_by_test_id("observation-save").click()
    expect(page.get_by_test_id("observation-entries")).to_contain_text("38.9")
    page.locator("#home-who").fill("妈妈")
    page.get_by_test_id("send-home").click()
    expect(page.get_by_test_id("observation-reason")).to_contain_text("妈妈")
    obs.refresh_from_db()
    assert obs.status == "sent_home" and obs.collected_by == "妈妈" and obs.sent_home_at is not None
    assert obs.seen_at is not None  # the health teacher's entry marks the alarm seen
    # the parents were told (a notice addressed to the child's guardians)
    assert obs.parent_notice_code and Notice.objects.filter(code=obs.parent_notice_code).exists()
