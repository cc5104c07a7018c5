"""Browser test of money: an expense walked through every signature on a phone.

The director records it with a photo of the receipt and signs as handler (经手人); the principal's
attempt to sign before the acceptor is refused with a message; the storekeeper signs as acceptor
(验收人), the principal signs (园长), the accountant pays. Asserts on addresses, data-testid hooks and
data, never on the wording of labels (the catalogue may not be compiled).
"""

import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
SCREENSHOT = "/tmp/hq-shot-finance-expense.png"


def _receipt_png() -> bytes:
    """A small receipt-like PNG made here (no fixture files)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (120, 160), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((4, 4, 115, 155), outline="black")
    for y in range(20, 120, 14):
        draw.line((12, y, 100, y), fill="gray", width=2)
    draw.text((12, 130), "CNY 268.50", fill="black")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def categories(world):
    from houqin import policy
    from houqin.finance import services
    from houqin.org.models import Role

    accountant = policy.actor_for_kindergarten(world.k1.users[Role.ACCOUNTANT], world.k1.kg)
    services.categories_create_defaults(actor=accountant)


def _switch_user(page, sign_in, username):
    page.context.clear_cookies()
    assert sign_in(username, expect_status=302) == "/k/k1/"


def test_an_expense_goes_through_every_signature_then_is_paid(world, categories, page, live_server, sign_in,
                                                              open_menu):
    from houqin.finance.models import Expense, Signature

    # 1. the director records the expense from the phone, with a photo of the receipt
    assert sign_in("director", expect_status=302) == "/k/k1/"
    open_menu().locator("a[href='/k/k1/finance/expenses/']").click()
    page.wait_for_url(re.compile(r"/k/k1/finance/expenses/$"))
    page.get_by_test_id("new-expense").click()
    page.wait_for_url(re.compile(r"/k/k1/finance/expenses/new/$"))
    photo = page.locator("#id_photo")
    # the phone offers its camera and photo library for exactly the kinds the upload reader accepts
    assert photo.get_attribute("accept") == "image/jpeg,image/png,image/webp,application/pdf"
    assert photo.get_attribute("capture") is not None
    photo.set_input_files(files=[{"name": "receipt.png", "mimeType": "image/png", "buffer": _receipt_png()}])
    page.locator("#id_title").fill("班级绘本")
    page.locator("#id_amount").fill("268.50")
    page.locator("#id_category").select_option(label="保教材料")
    page.locator("#id_payee").fill("凤凰书城")
    page.get_by_test_id("save").click()
    page.wait_for_url(re.compile(rf"/k/k1/finance/expenses/{UUID}/$"))
    detail_url = page.url
    expect(page.get_by_test_id("amount")).to_contain_text("268.50")
    expect(page.get_by_test_id("receipt")).to_have_count(1)
    expense = Expense.objects.get(title="班级绘本")
    assert expense.receipts.get().content_type == "image/png"

    # the receipt is served to the director (through the policy), as an image
    receipt_src = page.get_by_test_id("receipt").locator("img").get_attribute("src")
    response = page.request.get(live_server.url + receipt_src)
    assert response.status == 200 and response.headers["content-type"] == "image/png"

    # 2. the director signs as handler (经手人)
    expect(page.get_by_test_id("sign-acceptor")).to_have_count(0)  # the recorder never accepts their own
    page.get_by_test_id("sign-handler").click()
    page.wait_for_url(detail_url)
    expect(page.get_by_test_id("signed-handler")).to_be_visible()
    expect(page.get_by_test_id("status").locator("[data-status]")).to_have_attribute("data-status", "handler_signed")

    # 3. the principal tries to sign before the acceptor: refused, with a message, nothing changed
    _switch_user(page, sign_in, "principal")
    page.goto(detail_url)
    page.get_by_test_id("sign-principal").click()
    page.wait_for_url(detail_url)
    expect(page.locator(".alert-danger[role=alert]")).to_be_visible()
    expect(page.get_by_test_id("signed-principal")).to_have_count(0)
    assert Signature.objects.filter(expense=expense).count() == 1

    # 4. the storekeeper signs as acceptor (验收人)
    _switch_user(page, sign_in, "storekeeper")
    page.goto(detail_url)
    expect(page.get_by_test_id("sign-handler")).to_have_count(0)
    page.get_by_test_id("sign-acceptor").click()
    page.wait_for_url(detail_url)
    expect(page.get_by_test_id("signed-acceptor")).to_be_visible()

    # 5. the principal signs last (园长)
    _switch_user(page, sign_in, "principal")
    page.goto(detail_url)
    page.get_by_test_id("sign-principal").click()
    page.wait_for_url(detail_url)
    expect(page.get_by_test_id("signed-principal")).to_be_visible()
    expect(page.get_by_test_id("pay")).to_have_count(0)  # only the accountant pays

    # 6. the accountant pays
    _switch_user(page, sign_in, "accountant")
    page.goto(detail_url)
    page.locator("#id_reference").fill("PZ-1121")
    page.get_by_test_id("pay-button").click()
    page.wait_for_url(detail_url)
    expect(page.get_by_test_id("status").locator("[data-status]")).to_have_attribute("data-status", "paid")
    expect(page.get_by_test_id("paid")).to_contain_text("PZ-1121")
    page.screenshot(path=SCREENSHOT, full_page=True)

    expense.refresh_from_db()
    assert expense.status == "paid" and expense.payment_reference == "PZ-1121"
    assert list(expense.signatures.order_by("signed_at").values_list("step", "user__username")) == [
        ("handler", "director"), ("acceptor", "storekeeper"), ("principal", "principal")]

    # the paid expense shows in the principal's monthly report
    _switch_user(page, sign_in, "principal")
    page.goto(live_server.url + "/k/k1/finance/report/")
    expect(page.get_by_test_id("report-expenses")).to_contain_text("班级绘本")
