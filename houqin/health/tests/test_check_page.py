"""The class check page: each child's controls (built once per page in health.markup) carry that
child's recorded state under that child's names, and the page posts back what it shows."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from houqin.health import services
from houqin.health.models import Attendance, CheckFinding
from houqin.health.tests.conftest import actor_of
from houqin.org.models import Role
from houqin.testing import ChildFactory

pytestmark = pytest.mark.django_db


def _checked(body: str, p: str) -> dict:
    """The ticked status, the selected action and the ticked findings of the child with prefix p."""
    status = re.findall(rf'name="{p}-status" id="{p}-s-\w+" value="(\w+)" checked>', body)
    select = re.search(rf'<select name="{p}-action".*?</select>', body, re.S).group(0)
    action = re.findall(r'<option value="(\w*)" selected>', select)
    findings = re.findall(rf'name="{p}-findings" id="{p}-f-\w+" value="(\w+)" checked>', body)
    return {"status": status, "action": action, "findings": sorted(findings)}


def test_each_child_shows_its_own_recorded_state_and_the_form_posts_it_back(world):
    cls = world.k1.own_class
    coughing, sick, well = world.k1.own_child, ChildFactory(school_class=cls), ChildFactory(school_class=cls)
    teacher = actor_of(world, Role.CLASS_TEACHER)
    services.record_check(actor=teacher, school_class=cls, day=timezone.localdate(), entries={
        coughing.pk: {"findings": ["cough", "runny_nose"], "action": "observe", "note": "<b>咳</b>"},
        sick.pk: {"status": "sick", "symptoms": ["diarrhoea"]}})
    c = Client()
    c.force_login(world.k1.users[Role.CLASS_TEACHER])
    url = f"/k/k1/health/check/{cls.code}/"
    body = c.get(url).content.decode()
    assert _checked(body, f"c{coughing.pk}") == {"status": ["present"], "action": ["observe"],
                                                 "findings": ["cough", "runny_nose"]}
    assert _checked(body, f"c{sick.pk}") == {"status": ["sick"], "action": [], "findings": ["diarrhoea"]}
    assert _checked(body, f"c{well.pk}") == {"status": ["present"], "action": [], "findings": []}
    assert "&lt;b&gt;咳&lt;/b&gt;" in body and "<b>咳</b>" not in body
    # every child has the three statuses, the six actions and the fifteen findings, each with its label
    for child in (coughing, sick, well):
        assert body.count(f'name="c{child.pk}-status"') == 3 and body.count(f'name="c{child.pk}-findings"') == 15
        assert body.count(f'for="c{child.pk}-f-') == 15
    # what the page shows, sent back as a browser would, records the same
    form = {"second_checker": ""}
    for child in (coughing, sick, well):
        p = f"c{child.pk}"
        state = _checked(body, p)
        form[f"{p}-status"] = state["status"][0]
        form[f"{p}-findings"] = state["findings"]
        form[f"{p}-action"] = state["action"][0] if state["action"] else ""
    form[f"c{coughing.pk}-note"] = "<b>咳</b>"
    assert c.post(url, form).status_code == 302
    f = CheckFinding.objects.get(child=coughing)
    assert (sorted(f.findings), f.action) == (["cough", "runny_nose"], "observe")
    assert Attendance.objects.get(child=sick).symptoms == "diarrhoea"
    assert not CheckFinding.objects.filter(child__in=[sick, well]).exists()
