"""Expenses: receipts, the signature chain 经手人 → 验收人 → 园长, payment and voiding.

Every refusal has a clear message and leaves the ledger (expenses, signatures, receipts, stored
files, audit rows) exactly as it was."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from houqin.core.errors import Conflict, DomainError, Forbidden
from houqin.core.models import AuditEvent, ProtectedRecordError
from houqin.finance import services
from houqin.finance.models import Expense, ExpenseStatus, Receipt, Signature
from houqin.finance.tests.helpers import (
    days_ago,
    jpeg_bytes,
    make_expense,
    make_purchase,
    png_bytes,
    png_upload,
    signed_expense,
    upload,
)
from houqin.org.models import Role
from houqin.testing import pdf_bytes

pytestmark = pytest.mark.django_db
E = ExpenseStatus


def ledger():
    """Everything a refused operation must leave untouched."""
    files = sorted(default_storage.listdir("finance/receipts")[0]) if default_storage.exists("finance/receipts") else []
    stored = []
    for folder in files:
        stored += default_storage.listdir(f"finance/receipts/{folder}")[1]
    return (
        list(Expense.objects.order_by("pk").values_list("pk", "status", "amount", "title", "paid_on", "voided_at")),
        list(Signature.objects.order_by("pk").values_list("pk", "step", "user_id")),
        list(Receipt.objects.order_by("pk").values_list("pk", "voided_at")),
        sorted(stored),
        AuditEvent.objects.count(),
    )


# --- recording ----------------------------------------------------------------------------------


def test_an_expense_is_recorded_with_its_receipt(fin):
    expense = make_expense(fin, amount="1280.50")
    assert expense.status == E.DRAFT and expense.amount == Decimal("1280.50")
    assert expense.handler == fin.user(Role.DIRECTOR) and expense.number.startswith(f"BX-{fin.today.year}-")
    receipt = expense.receipts.get()
    assert receipt.content_type == "image/png" and receipt.size > 0
    assert receipt.file.name.startswith(f"finance/receipts/{fin.world.k1.kg.pk}/")
    assert receipt.file.name.endswith(f"/{receipt.code}.png")  # a name the server made
    with receipt.file.open("rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert expense.history.count() == 1


@pytest.mark.parametrize("field, value", [
    ("amount", "0"), ("amount", "-3"), ("amount", "12.345"), ("amount", "abc"), ("amount", "1e12"),
    ("spent_on", "future"), ("spent_on", None), ("payee", " "), ("title", ""),
])
def test_bad_expenses_are_refused_and_nothing_is_stored(fin, field, value):
    data = {"title": "纸", "amount": "10.00", "category": fin.category(), "spent_on": fin.today, "payee": "店"}
    data[field] = fin.today + dt.timedelta(days=3) if value == "future" else value
    before = ledger()
    with pytest.raises(DomainError) as exc:
        services.expense_create(actor=fin.actor(Role.DIRECTOR), receipts=[png_upload()], **data)
    assert exc.value.errors[0]["field"] == field
    assert ledger() == before


def _refused_receipt(fin, content: bytes, name: str, content_type="image/png"):
    before = ledger()
    with pytest.raises(DomainError) as exc:
        services.expense_create(
            actor=fin.actor(Role.DIRECTOR), title="纸", amount="10.00", category=fin.category(), spent_on=fin.today,
            payee="店", receipts=[png_upload("good.png"), upload(content, name, content_type)])
    assert exc.value.errors[0]["field"] == "receipts"
    assert exc.value.message
    assert ledger() == before  # the good file was not stored either
    return exc.value


def test_a_receipt_that_is_not_an_image_or_pdf_is_refused(fin):
    _refused_receipt(fin, b"PK\x03\x04 this is a zip", "receipt.pdf", "application/pdf")
    _refused_receipt(fin, b"<html><script>alert(1)</script></html>", "receipt.jpg", "image/jpeg")
    _refused_receipt(fin, b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "r.svg", "image/svg+xml")
    _refused_receipt(fin, b"GIF89a" + b"\x00" * 40, "r.gif", "image/gif")


def test_a_receipt_named_like_an_image_is_judged_by_its_content(fin):
    pdf = pdf_bytes()
    expense = services.expense_create(actor=fin.actor(Role.DIRECTOR), title="纸", amount="10.00",
                                      category=fin.category(), spent_on=fin.today, payee="店",
                                      receipts=[upload(pdf, "photo.jpg", "image/jpeg")])
    assert expense.receipts.get().content_type == "application/pdf"


def test_a_receipt_over_the_upload_limit_is_refused(fin, settings):
    settings.HOUQIN_UPLOAD_MAX_BYTES = 3 * 1024 * 1024
    big = pdf_bytes() + b"0" * (3 * 1024 * 1024)
    error = _refused_receipt(fin, big, "scan.pdf", "application/pdf")
    assert "3 MB" in error.message


def test_an_empty_receipt_is_refused(fin):
    _refused_receipt(fin, b"", "empty.png")


def test_a_truncated_or_fake_image_is_refused(fin):
    _refused_receipt(fin, png_bytes()[:30], "cut.png")
    _refused_receipt(fin, b"\xff\xd8\xff\xe0 not really a jpeg", "fake.jpg", "image/jpeg")


def test_a_pixel_flood_is_refused(fin):
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 50000, 50000, 8, 0, 0, 0, 0))
    flood = b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + chunk(b"IEND", b"")
    _refused_receipt(fin, flood, "flood.png")


def test_a_pdf_with_javascript_is_refused(fin):
    _refused_receipt(fin, pdf_bytes(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), "evil.pdf",
                     "application/pdf")


def test_a_heic_photo_gets_its_own_message(fin):
    error = _refused_receipt(fin, b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64, "IMG_0001.HEIC", "image/heic")
    assert error.code == "invalid"


def test_a_photos_location_is_not_kept(fin):
    from PIL import Image

    exif = Image.Exif()
    exif[0x8825] = {2: (31.0, 59.0, 0.0), 4: (118.0, 47.0, 0.0)}  # GPS latitude and longitude
    exif[0x010F] = "PhoneMaker"
    content = jpeg_bytes(exif=exif.tobytes())
    assert Image.open(io.BytesIO(content)).getexif()
    expense = services.expense_create(actor=fin.actor(Role.DIRECTOR), title="纸", amount="10.00",
                                      category=fin.category(), spent_on=fin.today, payee="店",
                                      receipts=[upload(content, "IMG_0001.jpg", "image/jpeg")])
    with expense.receipts.get().file.open("rb") as f:
        stored = Image.open(io.BytesIO(f.read()))
        assert stored.format == "JPEG"
        assert not stored.getexif()


def test_the_original_file_name_is_kept_only_as_safe_text(fin):
    expense = services.expense_create(actor=fin.actor(Role.DIRECTOR), title="纸", amount="10.00",
                                      category=fin.category(), spent_on=fin.today, payee="店",
                                      receipts=[upload(png_bytes(), "../../etc/\u202epasswd.png")])
    receipt = expense.receipts.get()
    assert receipt.original_name == "passwd.png"
    assert ".." not in receipt.file.name and "passwd" not in receipt.file.name


def test_at_most_ten_receipts(fin):
    before = ledger()
    with pytest.raises(DomainError):
        make_expense(fin, receipts=11)
    assert ledger() == before


def test_the_handler_must_be_staff_who_can_sign(fin):
    before = ledger()
    for outsider in (fin.user(Role.CLASS_TEACHER), fin.user(Role.PARENT), fin.user(Role.DIRECTOR, "k2")):
        with pytest.raises(DomainError) as exc:
            make_expense(fin, role=Role.ACCOUNTANT, handler=outsider)
        assert exc.value.errors[0]["field"] == "handler"
    assert ledger() == before
    expense = make_expense(fin, role=Role.ACCOUNTANT, handler=fin.user(Role.CANTEEN))
    assert expense.handler == fin.user(Role.CANTEEN)


def test_only_an_approved_request_can_be_linked(fin):
    purchase = make_purchase(fin)
    with pytest.raises(DomainError) as exc:
        make_expense(fin, purchase_request=purchase)
    assert exc.value.errors[0]["field"] == "purchase_request"
    services.request_approve(actor=fin.actor(Role.DIRECTOR), request=purchase)
    purchase.refresh_from_db()
    assert make_expense(fin, purchase_request=purchase).purchase_request == purchase


# --- signing ------------------------------------------------------------------------------------


def test_the_full_chain_then_payment(fin):
    expense = make_expense(fin)
    services.expense_sign(actor=fin.actor(Role.DIRECTOR), expense=expense)
    services.expense_sign(actor=fin.actor(Role.STOREKEEPER), expense=expense)
    services.expense_sign(actor=fin.actor(Role.PRINCIPAL), expense=expense)
    expense.refresh_from_db()
    assert expense.status == E.PRINCIPAL_SIGNED
    assert list(expense.signatures.values_list("step", "user__username")) == [
        ("handler", "director"), ("acceptor", "storekeeper"), ("principal", "principal")]
    paid = services.expense_pay(actor=fin.actor(Role.ACCOUNTANT), expense=expense, paid_on=fin.today,
                                method="transfer", reference="PZ001")
    assert paid.status == E.PAID and paid.paid_by == fin.user(Role.ACCOUNTANT)
    assert AuditEvent.objects.filter(object_code=str(expense.code), action="finance.expense.sign").count() == 3
    assert AuditEvent.objects.filter(object_code=str(expense.code), action="finance.expense.pay").count() == 1


def test_steps_cannot_be_skipped(fin):
    expense = make_expense(fin)
    before = ledger()
    for role, step in ((Role.STOREKEEPER, "acceptor"), (Role.PRINCIPAL, "principal")):
        with pytest.raises(DomainError) as exc:
            services.expense_sign(actor=fin.actor(role), expense=expense, step=step)
        assert exc.value.code == "out_of_order"
    assert ledger() == before
    services.expense_sign(actor=fin.actor(Role.DIRECTOR), expense=expense)
    with pytest.raises(DomainError) as exc:
        services.expense_sign(actor=fin.actor(Role.PRINCIPAL), expense=expense, step="principal")
    assert exc.value.code == "out_of_order"


def test_the_principal_without_a_step_signs_nothing_out_of_turn(fin):
    expense = make_expense(fin)
    services.expense_sign(actor=fin.actor(Role.DIRECTOR), expense=expense)
    before = ledger()
    with pytest.raises(Forbidden):  # the next step is the acceptor's: a principal is not one
        services.expense_sign(actor=fin.actor(Role.PRINCIPAL), expense=expense)
    assert ledger() == before


def test_a_second_signature_by_the_same_person_is_refused(fin):
    from houqin.org.models import Membership

    # the director is the handler and also holds the storekeeper's role: still one signature only
    Membership.objects.create(user=fin.user(Role.DIRECTOR), kindergarten=fin.world.k1.kg, role=Role.STOREKEEPER)
    expense = make_expense(fin)
    services.expense_sign(actor=fin.actor(Role.DIRECTOR), expense=expense)
    before = ledger()
    with pytest.raises(Forbidden) as exc:
        services.expense_sign(actor=fin.actor(Role.DIRECTOR), expense=expense, step="acceptor")
    assert exc.value.status_code == 403
    assert ledger() == before


def test_the_database_refuses_a_second_signature_by_the_same_person(fin):
    from django.db import IntegrityError, transaction

    expense = signed_expense(fin, upto="handler")
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(kindergarten=expense.kindergarten, expense=expense, step="acceptor",
                                 user=fin.user(Role.DIRECTOR), signed_at=expense.created_at)


def test_only_the_named_handler_signs_first(fin):
    expense = make_expense(fin, role=Role.ACCOUNTANT, handler=fin.user(Role.CANTEEN))
    before = ledger()
    for role in (Role.ACCOUNTANT, Role.DIRECTOR):
        with pytest.raises(Forbidden):
            services.expense_sign(actor=fin.actor(role), expense=expense, step="handler")
    assert ledger() == before
    services.expense_sign(actor=fin.actor(Role.CANTEEN), expense=expense)
    expense.refresh_from_db()
    assert expense.status == E.HANDLER_SIGNED


def test_the_creator_can_never_approve_their_own_expense(fin):
    # the accountant records for the canteen cook; the storekeeper who recorded another one cannot accept it
    expense = make_expense(fin, role=Role.STOREKEEPER, handler=fin.user(Role.CANTEEN))
    services.expense_sign(actor=fin.actor(Role.CANTEEN), expense=expense)
    before = ledger()
    with pytest.raises(Forbidden) as exc:
        services.expense_sign(actor=fin.actor(Role.STOREKEEPER), expense=expense)
    assert exc.value.status_code == 403
    assert ledger() == before
    services.expense_sign(actor=fin.actor(Role.DIRECTOR), expense=expense)  # another acceptor may


def test_the_principal_cannot_approve_an_expense_they_recorded(fin):
    from houqin.org.models import Membership

    Membership.objects.create(user=fin.user(Role.PRINCIPAL), kindergarten=fin.world.k1.kg, role=Role.ACCOUNTANT)
    expense = make_expense(fin, role=Role.PRINCIPAL, handler=fin.user(Role.CANTEEN))
    services.expense_sign(actor=fin.actor(Role.CANTEEN), expense=expense)
    services.expense_sign(actor=fin.actor(Role.STOREKEEPER), expense=expense)
    before = ledger()
    with pytest.raises(Forbidden):
        services.expense_sign(actor=fin.actor(Role.PRINCIPAL), expense=expense)
    assert ledger() == before


def test_the_acceptor_is_the_director_or_the_storekeeper(fin):
    expense = make_expense(fin, role=Role.ACCOUNTANT)
    services.expense_sign(actor=fin.actor(Role.ACCOUNTANT), expense=expense)
    before = ledger()
    for role in (Role.CANTEEN, Role.PRINCIPAL):
        with pytest.raises(DomainError):
            services.expense_sign(actor=fin.actor(role), expense=expense, step="acceptor")
    assert ledger() == before


def test_roles_without_the_capability_cannot_sign_at_all(fin):
    from django.http import Http404

    from houqin.core.errors import Forbidden

    expense = make_expense(fin)
    before = ledger()
    # A role without the expense capability is refused (403); another kindergarten's principal
    # does not even learn that the expense exists (404).
    with pytest.raises(Forbidden):
        services.expense_sign(actor=fin.actor(Role.CLASS_TEACHER), expense=expense)
    with pytest.raises(Http404):
        services.expense_sign(actor=fin.actor(Role.PRINCIPAL, "k2"), expense=expense)
    assert ledger() == before


def test_no_handler_signature_without_a_receipt(fin):
    expense = make_expense(fin, receipts=0)
    before = ledger()
    with pytest.raises(DomainError) as exc:
        services.expense_sign(actor=fin.actor(Role.DIRECTOR), expense=expense)
    assert exc.value.errors[0]["field"] == "receipts"
    assert ledger() == before
    services.receipt_add(actor=fin.actor(Role.DIRECTOR), expense=expense, upload=png_upload())
    services.expense_sign(actor=fin.actor(Role.DIRECTOR), expense=expense)


def test_a_step_signed_twice_is_a_conflict(fin):
    expense = signed_expense(fin, upto="principal")
    before = ledger()
    with pytest.raises(Conflict):
        services.expense_sign(actor=fin.actor(Role.PRINCIPAL), expense=expense, step="principal")
    assert ledger() == before


# --- editing, payment, voiding ------------------------------------------------------------------


def test_a_draft_can_be_corrected_but_a_signed_expense_cannot(fin):
    expense = make_expense(fin)
    services.expense_update(actor=fin.actor(Role.DIRECTOR), expense=expense, amount="99.90", payee="晨光文具城南店")
    expense.refresh_from_db()
    assert expense.amount == Decimal("99.90") and expense.history.count() == 2
    services.expense_sign(actor=fin.actor(Role.DIRECTOR), expense=expense)
    before = ledger()
    with pytest.raises(DomainError) as exc:
        services.expense_update(actor=fin.actor(Role.DIRECTOR), expense=expense, amount="9999.00")
    assert exc.value.code == "signed"
    with pytest.raises(DomainError):
        services.receipt_add(actor=fin.actor(Role.DIRECTOR), expense=expense, upload=png_upload())
    receipt = expense.receipts.get()
    with pytest.raises(DomainError):
        services.receipt_void(actor=fin.actor(Role.DIRECTOR), receipt=receipt, reason="换一张")
    assert ledger() == before


def test_others_cannot_edit_a_draft(fin):
    expense = make_expense(fin)
    with pytest.raises(Forbidden):
        services.expense_update(actor=fin.actor(Role.ACCOUNTANT), expense=expense, amount="1.00")


def test_payment_only_after_all_three_signatures(fin):
    for upto in (None, "handler", "acceptor"):
        expense = make_expense(fin) if upto is None else signed_expense(fin, upto=upto)
        before = ledger()
        with pytest.raises(DomainError) as exc:
            services.expense_pay(actor=fin.actor(Role.ACCOUNTANT), expense=expense, paid_on=fin.today, method="cash")
        assert exc.value.code == "not_signed"
        assert ledger() == before


def test_nothing_without_a_receipt_is_paid(fin):
    expense = signed_expense(fin)
    Receipt.objects.filter(expense=expense).update(voided_at=expense.created_at)  # lost after signing (repair)
    before = ledger()
    with pytest.raises(DomainError) as exc:
        services.expense_pay(actor=fin.actor(Role.ACCOUNTANT), expense=expense, paid_on=fin.today, method="cash")
    assert exc.value.code == "no_receipt"
    assert ledger() == before


@pytest.mark.parametrize("field, value", [("paid_on", "future"), ("paid_on", "before"), ("method", "bitcoin")])
def test_bad_payments_are_refused(fin, field, value):
    expense = signed_expense(fin, spent_on=days_ago(3))
    data = {"paid_on": fin.today, "method": "transfer"}
    data[field] = {"future": fin.today + dt.timedelta(days=1), "before": days_ago(10)}.get(value, value)
    before = ledger()
    with pytest.raises(DomainError) as exc:
        services.expense_pay(actor=fin.actor(Role.ACCOUNTANT), expense=expense, **data)
    assert exc.value.errors[0]["field"] == field
    assert ledger() == before


def test_only_the_accountant_pays_and_only_once(fin):
    from django.http import Http404

    expense = signed_expense(fin)
    with pytest.raises(Forbidden):
        services.expense_pay(actor=fin.actor(Role.PRINCIPAL), expense=expense, paid_on=fin.today, method="cash")
    with pytest.raises(Http404):
        services.expense_pay(actor=fin.actor(Role.ACCOUNTANT, "k2"), expense=expense, paid_on=fin.today, method="cash")
    services.expense_pay(actor=fin.actor(Role.ACCOUNTANT), expense=expense, paid_on=fin.today, method="cash")
    before = ledger()
    with pytest.raises(Conflict):
        services.expense_pay(actor=fin.actor(Role.ACCOUNTANT), expense=expense, paid_on=fin.today, method="cash")
    assert ledger() == before


def test_the_principal_voids_a_signed_expense_with_a_reason(fin):
    expense = signed_expense(fin, upto="acceptor")
    before = ledger()
    with pytest.raises(DomainError) as exc:
        services.expense_void(actor=fin.actor(Role.PRINCIPAL), expense=expense, reason=" ")
    assert exc.value.errors[0]["field"] == "reason"
    with pytest.raises(Forbidden):
        services.expense_void(actor=fin.actor(Role.DIRECTOR), expense=expense, reason="错了")
    assert ledger() == before
    voided = services.expense_void(actor=fin.actor(Role.PRINCIPAL), expense=expense, reason="重复录入")
    assert voided.status == E.VOIDED and voided.is_voided and voided.void_reason == "重复录入"
    assert voided.voided_by == fin.user(Role.PRINCIPAL)
    with pytest.raises(DomainError):
        services.expense_sign(actor=fin.actor(Role.PRINCIPAL), expense=expense)
    with pytest.raises(Conflict):
        services.expense_void(actor=fin.actor(Role.PRINCIPAL), expense=expense, reason="again")
    assert expense.signatures.count() == 2  # the signatures stay on the record


def test_the_recorder_may_withdraw_their_own_draft(fin):
    expense = make_expense(fin)
    assert services.expense_void(actor=fin.actor(Role.DIRECTOR), expense=expense, reason="填错了").is_voided
    signed = signed_expense(fin, upto="handler")
    with pytest.raises(Forbidden):
        services.expense_void(actor=fin.actor(Role.DIRECTOR), expense=signed, reason="填错了")


def test_expenses_signatures_and_receipts_cannot_be_deleted(fin):
    expense = signed_expense(fin, upto="handler")
    for obj in (expense, expense.signatures.first(), expense.receipts.first()):
        with pytest.raises(ProtectedRecordError):
            obj.delete()


def test_the_history_shows_who_did_what(fin):
    expense = signed_expense(fin)
    users = [h.history_user for h in expense.history.order_by("history_date", "history_id")]
    assert users == [fin.user(Role.DIRECTOR), fin.user(Role.DIRECTOR), fin.user(Role.STOREKEEPER),
                     fin.user(Role.PRINCIPAL)]


def test_money_is_exact(fin):
    expense = make_expense(fin, amount="0.10")
    services.expense_update(actor=fin.actor(Role.DIRECTOR), expense=expense, amount="0.20")
    expense.refresh_from_db()
    assert expense.amount + Decimal("0.10") == Decimal("0.30")
    assert isinstance(expense.amount, Decimal)
