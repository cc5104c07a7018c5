"""The menu optimizer (houqin.canteen.optimizer): every proposed week meets every target by the
canteen's own nutrition analysis of the draft menu it becomes (never by the solver's arithmetic), keeps
the variety rules and the food cost, is publishable for the children's allergies; an impossible week
says in Chinese which target it misses and by how much; one day can be proposed again; bad input is
refused with nothing saved; pages and API under the same policy, the list page in fixed queries."""

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import translation

from houqin import policy
from houqin.canteen import demo as canteen_demo
from houqin.canteen import nutrition, optimizer, selectors, services
from houqin.canteen.models import Food, Menu, MenuProposal, MenuStatus, MenuSubstitute, ProposalStatus
from houqin.canteen.rules import build_rules
from houqin.canteen.tests.conftest import MONDAY, actor_of, register
from houqin.core.errors import DomainError, Forbidden
from houqin.org.models import Role
from houqin.testing import MISSING, run_matrix

pytestmark = pytest.mark.django_db
WEEK = MONDAY + dt.timedelta(days=14)


def library(actor):
    """The demo's dish library (and its own condiments) in the test world's kindergarten, through the services."""
    own = {key: services.food_create(actor=actor, name=name, pagoda_group=group, source=source,
                                     **{k: str(v) for k, v in values.items()})
           for key, name, group, values, source in canteen_demo.CONDIMENTS}
    table = {f.food_code: f for f in Food.objects.filter(kindergarten__isnull=True,
                                                         food_code__in=list(canteen_demo.T.values()))}
    foods = {key: table[code] for key, code in canteen_demo.T.items() if code in table} | own
    specs = canteen_demo.DISHES + canteen_demo.SUBSTITUTE_DISHES + canteen_demo.OPTIMIZER_DISHES
    for name, category, parts in specs:
        services.dish_save(actor=actor, name=name, category=category, ingredients=[
            {"food": foods[key], "grams_raw": str(grams)} for key, grams in parts])


@pytest.fixture
def health(world):
    actor = actor_of(world, Role.HEALTH_TEACHER)
    services.settings_update(actor=actor, meals=["breakfast", "lunch", "afternoon_snack"], care_type="full_day_two",
                             factor_toddler="0.8", factor_small="0.9", factor_middle="1", factor_large="1.1",
                             meal_fee_per_day="13.50", refund_sick_days=True, refund_personal_days=True,
                             staff_meal_share="0")
    library(actor)
    return actor


def _analysis_problems(menu, grade="middle") -> list:
    a = selectors.menu_analysis(menu, grade=grade)
    bad = [(n.key, round(n.pct_of_dri, 1)) for n in a.nutrients if n.dri and n.status != nutrition.ADEQUATE]
    bad += [(r.key, r.value) for r in [*a.energy_sources, *a.meals, *a.groups, a.high_quality_protein]
            if r.status != nutrition.ADEQUATE]
    return bad


def test_a_proposed_week_meets_every_target_by_the_menus_own_analysis_and_is_publishable(world, health):
    child = world.k1.own_child
    register(child, "egg", start=WEEK - dt.timedelta(days=30))
    proposal = optimizer.proposal_create(actor=health, week_start=WEEK, grade="middle")
    result = proposal.result
    assert result["met"], result["shortfalls"]
    assert result["cost"] <= 13.50
    entries = result["entries"]
    # the meal pattern: every day milk and a staple or snack at breakfast, staple, meat, vegetable and
    # soup at lunch, fruit and a snack in the afternoon
    for day in range(5):
        cats = Counter(e["category"] for e in entries if e["day"] == day)
        assert cats["milk"] == 1 and cats["meat"] == 1 and cats["vegetable"] == 1 and cats["soup"] >= 1
        assert len([e for e in entries if e["day"] == day]) == 8
    # variety: a meat or vegetable dish at most once a week, a fish or shrimp dish at least once
    served = Counter(e["dish"] for e in entries if e["category"] in ("meat", "vegetable"))
    assert max(served.values()) == 1
    fish = {"清蒸鲈鱼", "虾仁炒蛋", "虾仁豆腐"}
    assert fish & {e["dish"] for e in entries}
    # grams within 0.7–1.3 × the recipe
    assert all(0.69 <= e["scale"] <= 1.31 for e in entries)

    menu = optimizer.proposal_accept(actor=health, proposal=proposal)
    assert menu.status == MenuStatus.DRAFT and menu.week_start == WEEK
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED and proposal.menu == menu
    # the draft menu, analysed by the canteen's own analysis: nothing low, nothing high
    assert _analysis_problems(menu) == []
    # the egg-allergic child has a substitute on every egg dish, so the week publishes
    egg_entries = [e for e in selectors.menu_entries(menu)
                   if any(f.food.pagoda_group == "egg" for f in e.foods.all())]
    assert egg_entries
    assert MenuSubstitute.objects.filter(entry__menu=menu, avoid="egg").count() == len(egg_entries)
    services.menu_publish(actor=health, menu=menu, notify=False)
    # accepted once only
    with pytest.raises(DomainError):
        optimizer.proposal_accept(actor=health, proposal=proposal)


def test_proposing_one_day_again_keeps_the_other_days(world, health):
    proposal = optimizer.proposal_create(actor=health, week_start=WEEK, grade="middle")
    before = {d: [e["dish"] for e in proposal.result["entries"] if e["day"] == d] for d in range(5)}
    optimizer.proposal_redo_day(actor=health, proposal=proposal, day=2)
    proposal.refresh_from_db()
    after = {d: [e["dish"] for e in proposal.result["entries"] if e["day"] == d] for d in range(5)}
    assert after[2] != before[2]
    assert all(after[d] == before[d] for d in (0, 1, 3, 4))
    assert proposal.result["met"], proposal.result["shortfalls"]


def _plain_food(fid, name, group, **values):
    base = {k: 0.0 for k in nutrition.NUTRIENT_KEYS}
    base.update(values)
    return nutrition.FoodData(id=fid, name=name, group=group, values=base)


def test_an_impossible_week_names_the_target_and_how_far_in_chinese():
    """A library without protein enough: the closest week, and the sentence says how far protein gets."""
    rice = _plain_food(1, "米饭", "cereals", energy_kcal=350, protein_g=2.0, carbohydrate_g=80, fat_g=1)
    cabbage = _plain_food(2, "白菜", "vegetables", energy_kcal=20, protein_g=0.5, carbohydrate_g=3, calcium_mg=50)
    pork = _plain_food(3, "猪肉", "meat", energy_kcal=300, protein_g=4.0, fat_g=28)

    def dish(i, name, cat, food, grams):
        return optimizer.DishData(id=i, name=name, category=cat, foods=((food, grams, grams, "", 0.01),))

    dishes = [dish(1, "米饭", "staple", rice, 80), dish(2, "炒白菜", "vegetable", cabbage, 80),
              dish(3, "红烧肉", "meat", pork, 40), dish(4, "白菜汤", "soup", cabbage, 50)]
    problem = optimizer.Problem(days=1, meals=["lunch"], dishes=dishes, rules=build_rules(), age=4,
                                care_type="full_day_two")
    with translation.override("zh-hans"):
        result = optimizer.solve(problem)
    assert not result.met
    protein = result.analysis.nutrient("protein_g")
    expected = protein.pct_of_dri / protein.target_pct * 100
    line = next(s for s in result.shortfalls if s.startswith("蛋白质"))
    assert f"蛋白质最多只能达到目标的 {expected:.0f}%" in line
    assert expected < 50


def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(world, health):
    with translation.override("zh-hans"):
        with pytest.raises(DomainError) as caught:
            optimizer.proposal_create(actor=health, week_start=WEEK + dt.timedelta(days=1), grade="middle")
        assert "星期一" in caught.value.errors[0]["message"]
        with pytest.raises(DomainError) as caught:
            optimizer.proposal_create(actor=health, week_start=WEEK, grade="nobody", budget="-3")
        fields = {e["field"] for e in caught.value.errors}
        assert fields == {"grade", "budget"}
    services.menu_create(actor=health, week_start=WEEK)
    with pytest.raises(DomainError):
        optimizer.proposal_create(actor=health, week_start=WEEK)
    assert not MenuProposal.objects.exists()


def _fake_proposal(world, k):
    ns = getattr(world, k)
    return MenuProposal.objects.create(kindergarten=ns.kg, week_start=WEEK, grade="middle",
                                       result={"entries": [], "figures": [], "met": True, "cost": 0, "shortfalls": []})


def test_pages_and_api_under_the_policy(world):
    routes = [
        ("/k/{kg}/canteen/optimizer/", "canteen.menu.change", None),
        ("/k/{kg}/canteen/optimizer/{code}/", "canteen.menu.change", "proposal"),
        ("/api/k/{kg}/canteen/optimizer/proposals", "canteen.menu.change", None),
        ("/api/k/{kg}/canteen/optimizer/proposals/{code}", "canteen.menu.change", "proposal"),
    ]
    objects = {"proposal": {"k1": _fake_proposal(world, "k1"), "other_kg": _fake_proposal(world, "k2"),
                            "missing": MISSING}}
    mismatches, checked = run_matrix(world, routes, objects)
    assert mismatches == []
    assert checked > 40
    # the kitchen's cook may propose; a class teacher may not even post
    teacher = policy.actor_for_kindergarten(world.k1.users[Role.CLASS_TEACHER], world.k1.kg)
    with pytest.raises(Forbidden):
        optimizer.proposal_create(actor=teacher, week_start=WEEK)


def test_the_list_page_in_fixed_queries_and_the_api_round_trip(world, health, login, django_assert_max_num_queries):
    client = login(world.k1.users[Role.HEALTH_TEACHER])
    for n in range(3):
        MenuProposal.objects.create(kindergarten=world.k1.kg, week_start=WEEK + dt.timedelta(days=7 * n),
                                    grade="middle", result={"met": n % 2 == 0})
    client.get("/k/k1/canteen/optimizer/")
    with django_assert_max_num_queries(14) as captured:
        r = client.get("/k/k1/canteen/optimizer/")
    fixed = len(captured)
    for n in range(3, 8):
        MenuProposal.objects.create(kindergarten=world.k1.kg, week_start=WEEK + dt.timedelta(days=7 * n),
                                    grade="middle", result={"met": False})
    with django_assert_max_num_queries(fixed):
        r = client.get("/k/k1/canteen/optimizer/")
    assert r.status_code == 200 and r.content.decode().count('class="list-group-item') == 8

    r = client.post("/api/k/k1/canteen/optimizer/proposals", {"week_start": str(WEEK + dt.timedelta(days=1))},
                    content_type="application/json")
    assert r.status_code == 422 and "week_start" in r.content.decode()
    r = client.post("/api/k/k1/canteen/optimizer/proposals", {"week_start": str(WEEK), "grade": "large"},
                    content_type="application/json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["met"] is True and data["entries"]
    r = client.post(f"/api/k/k1/canteen/optimizer/proposals/{data['code']}/accept", {},
                    content_type="application/json")
    assert r.status_code == 201
    menu = Menu.objects.get(code=r.json()["code"])
    assert _analysis_problems(menu, grade="large") == []


def test_the_demo_library_has_a_week_meeting_every_target(db):
    """On the demo itself (organisation, storeroom prices, the allergy register, the canteen)."""
    from houqin.finance import demo as finance_demo
    from houqin.health import demo as health_demo
    from houqin.org import demo
    from houqin.stock import demo as stock_demo

    ctx = demo._write(demo.plan_demo(demo.DEFAULT_SEED), make_password(None))
    for step in (stock_demo.build_stock, finance_demo.build_finance, health_demo.build_attendance_and_checks,
                 health_demo.build_diet_register, canteen_demo.build_canteen):
        ctx.rng = random.Random(f"test:{step.__qualname__}")
        step(ctx)
    kg = ctx.kindergartens[demo.DEMO_SLUG]
    # the week after the draft (this week's and next week's menus are published, the one after is a draft)
    monday = ctx.dates.today - dt.timedelta(days=ctx.dates.today.weekday()) + dt.timedelta(days=21)
    health = policy.actor_for_kindergarten(ctx.users["health"], kg)
    proposal = optimizer.proposal_create(actor=health, week_start=monday, grade="middle")
    assert proposal.result["met"], proposal.result["shortfalls"]
    assert Decimal(str(proposal.result["cost"])) <= proposal.budget
    menu = optimizer.proposal_accept(actor=health, proposal=proposal)
    assert _analysis_problems(menu) == []
    services.menu_publish(actor=health, menu=menu, notify=False)
