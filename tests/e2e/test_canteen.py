"""Browser test of the canteen, on a phone: the health teacher completes next week's quantified menu
(a draft like the demo's), publishes it and reads its nutrition analysis; a parent then reads the
published menu and last month's meal account.

Like the other browser tests these assert on addresses, data-testid hooks and data, not on the
wording of labels (the Chinese catalogue may not be compiled).
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MONDAY = dt.date(2026, 11, 23)


@pytest.fixture
def draft(world):
    """Next week's menu as a draft: Monday to Thursday filled in, Friday still empty; and October's
    meal account published to parents."""
    from houqin import policy
    from houqin.canteen import services
    from houqin.canteen.models import MealAccount
    from houqin.canteen.tests.conftest import make_dishes
    from houqin.org.models import Role

    health = policy.actor_for_kindergarten(world.k1.users[Role.HEALTH_TEACHER], world.k1.kg)
    dishes = make_dishes(health)
    menu = services.menu_create(actor=health, week_start=MONDAY, days=5, title="第13周食谱")
    for day in range(4):
        services.entry_add(actor=health, menu=menu, day=day, meal="breakfast", dish=dishes["milk"])
        services.entry_add(actor=health, menu=menu, day=day, meal="lunch", dish=dishes["rice"])
        services.entry_add(actor=health, menu=menu, day=day, meal="lunch", dish=dishes["greens"])
    income, spent = Decimal("18.00") * 500, Decimal("8100.00")
    MealAccount.objects.create(
        kindergarten=world.k1.kg, month=dt.date(2026, 10, 1), status="published", child_days=500, billed_days=500,
        fee_per_day=Decimal("18.00"), income=income, food_issued=spent, expenditure=spent, balance=income - spent,
        balance_pct=Decimal("10.00"), cumulative_income=income, cumulative_balance=income - spent,
        cumulative_pct=Decimal("10.00"), limit_pct=Decimal("2.00"), note="十月结余说明",
        published_at=dt.datetime(2026, 11, 5, 2, tzinfo=dt.UTC), published_by=world.k1.users[Role.ACCOUNTANT])
    return menu, dishes


def _sign_out(page):
    page.locator("form[action='/logout/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/login/"))


def test_the_health_teacher_publishes_a_menu_and_a_parent_reads_it(world, draft, page, live_server, sign_in):
    from houqin.canteen.models import Menu, MenuEntry

    menu, dishes = draft
    # the health teacher opens the draft on her phone: Friday is empty, so it cannot be published yet
    sign_in("health", expect_status=302)
    page.goto(live_server.url + f"/k/k1/canteen/menus/{menu.code}/")
    expect(page.get_by_test_id("menu-status")).to_be_visible()
    page.get_by_test_id("publish").click()
    page.wait_for_url(re.compile(rf"/canteen/menus/{menu.code}/$"))
    menu.refresh_from_db()
    assert menu.status == "draft"

    # she adds Friday's meals, one dish at a time
    for meal, dish in (("breakfast", dishes["milk"]), ("lunch", dishes["rice"]), ("lunch", dishes["egg"])):
        form = page.get_by_test_id("entry-form")
        form.locator("#id_day").select_option("4")
        form.locator("#id_meal").select_option(meal)
        form.locator("#id_dish").select_option(str(dish.code))
        form.get_by_test_id("add-dish").click()
        page.wait_for_url(re.compile(rf"/canteen/menus/{menu.code}/$"))
    assert MenuEntry.objects.filter(menu=menu, day=4).count() == 3

    # and publishes it
    page.get_by_test_id("publish").click()
    page.wait_for_url(re.compile(rf"/canteen/menus/{menu.code}/$"))
    menu.refresh_from_db()
    assert menu.status == "published" and menu.published_by == world.k1.users["health_teacher"]
    assert menu.summary["energy_kcal"] > 0
    assert page.get_by_test_id("publish").count() == 0

    # its nutrition analysis: a row per nutrient, the energy as kept on publishing
    page.get_by_test_id("analysis-link").click()
    page.wait_for_url(re.compile(rf"/canteen/menus/{menu.code}/analysis/"))
    table = page.get_by_test_id("nutrient-table")
    expect(table).to_be_visible()
    assert table.locator("tbody tr").count() >= 10
    expect(table.locator("tbody tr").first).to_contain_text("kcal")
    # … and its chart (ECharts): a bar per nutrient with a reference intake, as its share of it, with the
    # kindergarten's target and the reference as lines, the axis named with its unit
    chart = page.get_by_test_id("nutrition-chart")
    expect(chart.locator("canvas")).to_have_count(1)
    option = page.evaluate("""() => {
        const o = echarts.getInstanceByDom(document.querySelector("[data-testid='nutrition-chart']")).getOption();
        return {x: o.xAxis[0].name, names: o.yAxis[0].data, bars: o.series[0].data.map(d => d.value),
                target: o.series[1].markLine.data[0].xAxis, reference: o.series[2].markLine.data[0].xAxis,
                legend: o.series.map(s => s.name)};
    }""")
    assert option["x"] == "占参考摄入量（%）" and option["reference"] == 100 and 0 < option["target"] <= 100
    assert option["names"][0].startswith("能量") and len(option["bars"]) == len(option["names"]) >= 8
    assert option["legend"][1].startswith("本园目标") and all(b > 0 for b in option["bars"])
    _sign_out(page)

    # a parent reads the published menu of the week …
    sign_in("parent", expect_status=302)
    page.goto(live_server.url + "/k/k1/canteen/published/")
    listing = page.get_by_test_id("published-menus")
    listing.locator(f"a[href$='/canteen/published/{menu.code}/']").click()
    page.wait_for_url(re.compile(rf"/canteen/published/{menu.code}/$"))
    for name in ("牛奶", "米饭", "蒸鸡蛋羹", "青菜肉丝"):
        expect(page.locator("main")).to_contain_text(name)
    assert Menu.objects.get(pk=menu.pk).version == 1

    # … and last month's meal account
    page.goto(live_server.url + "/k/k1/canteen/account/published/")
    main = page.locator("main")
    expect(main.locator("h1")).to_contain_text("2026-10")
    expect(main).to_contain_text(re.compile(r"9,?000"))  # income: 500 child-days × 18 yuan
    expect(main).to_contain_text("十月结余说明")
