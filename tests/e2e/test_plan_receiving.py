"""Browser walk of receiving from a purchase plan, on a phone: on the Monday morning of the planned
week the storekeeper opens 今日应到货 from the receiving page, finds the milk of the dairy supplier
prefilled with the plan's quantity and price, receives what was delivered (a different price), and
the line shows as received with the difference; the goods are in the store. Asserts on addresses,
data-testid hooks and data, not on the wording of labels."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from conftest import clock_at
from houqin.canteen.tests.test_purchasing import WEEK, _publish, plan_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_storekeeper_receives_a_planned_delivery_on_a_phone(world, page, live_server, sign_in):
    from houqin import policy
    from houqin.canteen import purchasing
    from houqin.canteen.models import PurchasePlanLine
    from houqin.org.models import Role
    from houqin.stock.models import Batch

    canteen = policy.actor_for_kindergarten(world.k1.users[Role.CANTEEN], world.k1.kg)
    plan = purchasing.plan_generate(actor=canteen, menu=_publish(world, plan_world(world)))
    milk = plan.lines.get(name="牛奶", day=WEEK)
    with clock_at(WEEK, 7, 30):  # Monday morning: the deliveries arrive
        sign_in(world.k1.users[Role.STOREKEEPER].username, expect_status=302)
        page.goto(live_server.url + "/k/k1/stock/receive/")
        page.get_by_test_id("deliveries-link").click()
        page.wait_for_url(re.compile(r"/canteen/purchase/deliveries/"))
        expect(page.get_by_test_id("delivery-line")).to_have_count(4)
        form = page.locator(f"[data-testid=delivery-form]:has(input[name=line][value='{milk.code}'])")
        expect(form.locator(f"#id_l{milk.pk}-quantity")).to_have_value("1.2")
        form.locator(f"#id_l{milk.pk}-unit_cost").fill("63.5")
        form.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r"/canteen/purchase/deliveries/\?date="))
        expect(page.get_by_test_id("delivery-received")).to_have_count(1)
        expect(page.get_by_test_id("delivery-form")).to_have_count(3)
    line = PurchasePlanLine.objects.select_related("receipt").get(pk=milk.pk)
    assert line.receipt.quantity == Decimal("1.2") and line.receipt.unit_cost == Decimal("63.5")
    assert line.cost_difference == Decimal("1.80")
    assert Batch.objects.get(pk=line.receipt.batch_id).supplier.name == "乳品配送部"
