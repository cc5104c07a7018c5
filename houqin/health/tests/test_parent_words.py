"""The child's health page speaks to parents and teachers in words ("身高 正常"), never in indicator
codes or z-scores; the health teacher still sees the z-scores."""

import datetime as dt

from houqin.health import services
from houqin.health.tests.conftest import actor_of
from houqin.org.models import Role


def test_parents_read_words_and_the_health_teacher_reads_z(world, login):
    from django.utils import translation

    child = world.k1.own_child
    services.exam_record(actor=actor_of(world, Role.HEALTH_TEACHER), child=child, day=dt.date(2026, 11, 20),
                         height_cm="105.0", weight_kg="17.0")
    with translation.override("zh-hans"):
        parent = login(world.k1.users[Role.PARENT])
        page = parent.get(f"/k/k1/health/children/{child.code}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="growth-word"' in page and "正常" in page and "一般" not in page
    words = page.split('data-testid="exam-words"')[1].split("</section>")[0]
    assert "SD" not in words  # the band's name (中), not its range in SD: the chart keeps its SD lines
    for code in ('data-testid="z-scores"', "Z值", "WAZ", "BMIZ", "Hb "):
        assert code not in page, code
    health = login(world.k1.users[Role.HEALTH_TEACHER])
    assert 'data-testid="z-scores"' in health.get(f"/k/k1/health/children/{child.code}/").content.decode()
    teacher = login(world.k1.users[Role.CLASS_TEACHER])
    assert 'data-testid="z-scores"' not in teacher.get(f"/k/k1/health/children/{child.code}/").content.decode()
