"""The kitchen's food-safety duties (日管控、周排查、月调度): every shipped item answered, a failed item
with its deadline becomes a hazard, one check per day/week/month, the monthly meeting names who was
there; 园长陪餐 recorded with remarks. Bad input saves nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from houqin.core.errors import Conflict, DomainError, Forbidden
from houqin.foodsafety import duties
from houqin.foodsafety.models import AccompaniedMeal, DutyCheck, DutyResult
from houqin.foodsafety.tests.conftest import actor_of
from houqin.org.models import Role

pytestmark = pytest.mark.django_db


def _all_passed(kind):
    return {key: {"passed": True} for key, _text in duties.duty_items(kind)}


def test_the_shipped_lists_are_marked_to_be_confirmed():
    assert duties.duty_source()["status"] == "unconfirmed"
    assert all(len(duties.duty_items(kind)) >= 5 for kind in ("daily", "weekly", "monthly"))


def test_a_failed_item_becomes_a_hazard_with_a_deadline(world, director):
    from houqin.safety.models import Hazard

    answers = _all_passed("daily")
    key, text = duties.duty_items("daily")[4]
    answers[key] = {"passed": False, "note": "午餐青菜漏留样"}
    check = duties.duty_record(actor=director, kind="daily", results=answers)
    failed = DutyResult.objects.get(check_record=check, passed=False)
    assert failed.text == text and failed.deadline == timezone.localdate() + dt.timedelta(days=3)
    hazard = Hazard.objects.get(code=failed.hazard_code)
    assert "午餐青菜漏留样" in hazard.description and hazard.kindergarten == world.k1.kg
    assert DutyResult.objects.filter(check_record=check).count() == len(duties.duty_items("daily"))


def test_one_check_per_period_and_every_item_answered(world, director):
    answers = _all_passed("weekly")
    answers.pop(next(iter(answers)))
    with pytest.raises(DomainError) as exc:
        duties.duty_record(actor=director, kind="weekly", results=answers)
    assert exc.value.errors[0]["field"].startswith("item-")
    failed = _all_passed("weekly")
    failed[next(iter(failed))] = {"passed": False, "note": ""}  # failed without saying what
    with pytest.raises(DomainError):
        duties.duty_record(actor=director, kind="weekly", results=failed)
    assert DutyCheck.objects.count() == 0 and DutyResult.objects.count() == 0
    duties.duty_record(actor=director, kind="weekly", results=_all_passed("weekly"))
    with pytest.raises(Conflict):
        duties.duty_record(actor=director, kind="weekly", results=_all_passed("weekly"))
    assert duties.duties_due(world.k1.kg, timezone.localdate()) == ["daily", "monthly"]


def test_the_monthly_meeting_names_who_was_there(world):
    principal = actor_of(world, Role.PRINCIPAL)
    with pytest.raises(DomainError) as exc:
        duties.duty_record(actor=principal, kind="monthly", results=_all_passed("monthly"))
    assert {e["field"] for e in exc.value.errors} == {"attendees"}
    check = duties.duty_record(actor=principal, kind="monthly", results=_all_passed("monthly"),
                               attendees="园长、食品安全员、厨师长")
    assert check.attendees.startswith("园长")
    with pytest.raises(Forbidden):
        duties.duty_record(actor=actor_of(world, Role.CANTEEN), kind="daily", results=_all_passed("daily"))


def test_the_principals_meal_with_the_children(world):
    principal = actor_of(world, Role.PRINCIPAL)
    with pytest.raises(DomainError) as exc:
        duties.accompany_record(actor=principal, meal="lunch", place="", remarks="")
    assert {e["field"] for e in exc.value.errors} == {"place", "remarks"}
    assert AccompaniedMeal.objects.count() == 0
    meal = duties.accompany_record(actor=principal, meal="lunch", place="中一班", remarks="饭菜温度适宜，青菜偏咸",
                                   problems="减少用盐")
    assert meal.diner == principal.user and meal.problems == "减少用盐"
    with pytest.raises(Conflict):
        duties.accompany_record(actor=principal, meal="lunch", place="中二班", remarks="再吃一次不行")
    with pytest.raises(Forbidden):
        duties.accompany_record(actor=actor_of(world, Role.CANTEEN), meal="lunch", place="中一班", remarks="好吃好吃")


def test_pages_and_api(world, login):
    client = login(world.k1.users[Role.HEALTH_TEACHER])
    assert client.get("/k/k1/foodsafety/duties/").status_code == 200
    form = {f"pass-{key}": "1" for key, _t in duties.duty_items("daily")}
    bad = dict(form)
    bad.pop(next(iter(bad)))
    assert client.post("/k/k1/foodsafety/duties/new/daily/", bad).status_code == 200
    assert DutyCheck.objects.count() == 0
    response = client.post("/k/k1/foodsafety/duties/new/daily/", form)
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/k/k1/foodsafety/duties/new/yearly/").status_code == 404
    payload = {"kind": "weekly", "results": [{"key": k, "passed": True} for k, _t in duties.duty_items("weekly")]}
    created = client.post("/api/k/k1/foodsafety/duties", payload, content_type="application/json")
    assert created.status_code == 201 and len(created.json()["results"]) == len(duties.duty_items("weekly"))
    principal = login(world.k1.users[Role.PRINCIPAL])
    assert principal.post("/k/k1/foodsafety/meals/new/", {"meal": "lunch", "place": "小一班",
                                                          "remarks": "孩子们吃得很香"}).status_code == 302
    api = principal.post("/api/k/k1/foodsafety/meals", {"meal": "afternoon_snack", "place": "小一班", "remarks": "x"},
                         content_type="application/json")
    assert api.status_code == 422
    assert AccompaniedMeal.objects.count() == 1
    assert "孩子们吃得很香" in principal.get("/k/k1/foodsafety/meals/").content.decode()
