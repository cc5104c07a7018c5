"""Helpers of the finance tests: actors, uploads, requests and expenses at any step."""

import datetime as dt
import io
from decimal import Decimal
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from houqin import policy
from houqin.finance import services
from houqin.org.models import Role


def actor_of(world, role, k="k1"):
    ns = getattr(world, k)
    return policy.actor_for_kindergarten(ns.users[role], ns.kg)


def png_bytes(size=(40, 30), color=(200, 30, 30), exif=None) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(size=(40, 30), exif=None) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    image = Image.new("RGB", size, (20, 120, 40))
    if exif is not None:
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def upload(content: bytes, name="receipt.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_upload(name="receipt.png"):
    return upload(png_bytes(), name)


def make_purchase(fin, *, role=Role.STOREKEEPER, price="100.00", quantity="2", submit=True, k="k1", category="办公用品"):
    return services.purchase_request_create(
        actor=fin.actor(role, k), title="A4复印纸", reason="打印用纸不够", category=fin.category(category, k),
        lines=[{"description": "A4复印纸", "quantity": Decimal(quantity), "unit": "箱", "unit_price": Decimal(price)}],
        submit=submit,
    )


def make_repair(fin, *, role=Role.CLASS_TEACHER, cost="300.00", submit=True, k="k1"):
    return services.repair_request_create(
        actor=fin.actor(role, k), title="水龙头漏水", location="小一班盥洗室", reason="一直滴水",
        category=fin.category("维修", k), estimated_cost=Decimal(cost), submit=submit,
    )


def make_expense(fin, *, role=Role.DIRECTOR, amount="120.50", receipts=1, k="k1", handler=None, spent_on=None, **extra):
    return services.expense_create(
        actor=fin.actor(role, k), title="打印纸", amount=Decimal(amount), category=fin.category("办公用品", k),
        spent_on=spent_on or fin.today, payee="晨光文具", handler=handler,
        receipts=[png_upload(f"r{i}.png") for i in range(receipts)], **extra,
    )


def signed_expense(fin, *, upto="principal", role=Role.DIRECTOR, **kwargs):
    """An expense recorded by `role` (its handler) and signed up to `upto`."""
    expense = make_expense(fin, role=role, **kwargs)
    acceptor = Role.STOREKEEPER if role != Role.STOREKEEPER else Role.DIRECTOR
    steps = [("handler", role), ("acceptor", acceptor), ("principal", Role.PRINCIPAL)]
    for step, signer in steps:
        services.expense_sign(actor=fin.actor(signer), expense=expense, step=step)
        if step == upto:
            break
    expense.refresh_from_db()
    return expense


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)
