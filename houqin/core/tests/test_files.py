"""The one file reader (houqin.core.files), and every upload going through it.

The hostile files of the probe, each through a real upload endpoint of a different area: an HTML
body after a JPEG header (safety API), a photo with a GPS location (safety page), a PDF with
`/S /J#61vaScript` (finance API), a PDF with `/Launch` (food safety page), a PDF with an embedded
file (staff page), an oversize photo (assets API), a renamed .exe (assets page). Then what the
reader itself promises, and the multipart request without a boundary (400, not 500).
"""

import io
import os

import pytest
from django.utils import timezone
from PIL import Image

from houqin import policy
from houqin.core import files
from houqin.core.errors import DomainError
from houqin.org.models import Role
from houqin.testing import (
    HOSTILE_PDFS,
    gps_exif,
    html_after_jpeg_header,
    image_bytes,
    pdf_bytes,
    renamed_exe,
    upload_file,
)

pytestmark = pytest.mark.django_db


def _actor(world, role, k="k1"):
    ns = getattr(world, k)
    return policy.actor_for_kindergarten(ns.users[role], ns.kg)


def _stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    found = []
    for folder, _dirs, names in os.walk(root):
        found += [os.path.join(folder, n) for n in names]
    return sorted(found)


def _has_gps(content: bytes) -> bool:
    image = Image.open(io.BytesIO(content))
    return bool(image.getexif().get_ifd(0x8825)) or b"Exif" in content


# --- the hostile files, each through a real endpoint ---------------------------------------------


def test_safety_api_refuses_an_html_body_after_a_jpeg_header(world, login, settings):
    from houqin.safety.models import Hazard

    client = login(world.k1.users[Role.GUARD])
    response = client.post("/api/k/k1/safety/hazards", {
        "location": "大门", "description": "门锁坏了",
        "photo": upload_file(html_after_jpeg_header(), "lock.jpg", "image/jpeg")})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "photo"
    assert not Hazard.objects.exists() and not _stored_files(settings)


def test_safety_page_stores_a_hazard_photo_without_its_gps_location(world, login):
    from houqin.safety.models import Hazard

    content = image_bytes("JPEG", size=(60, 40), exif=gps_exif())
    assert _has_gps(content)  # the upload carries 31°58′N 118°47′E
    client = login(world.k1.users[Role.GUARD])
    response = client.post("/k/k1/safety/hazards/new/", {
        "location": "滑梯", "description": "螺丝松了", "severity": "normal",
        "photo": upload_file(content, "IMG_0001.jpg", "image/jpeg")})
    assert response.status_code == 302
    hazard = Hazard.objects.get()
    with hazard.photo.open("rb") as stored:
        data = stored.read()
    assert not _has_gps(data) and not Image.open(io.BytesIO(data)).getexif()
    assert hazard.photo.name.endswith(".jpg") and "IMG_0001" not in hazard.photo.name
    served = client.get(f"/k/k1/safety/photos/hazard/{hazard.code}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"


def test_finance_api_refuses_a_receipt_pdf_with_name_escaped_javascript(world, login, settings):
    from houqin.finance import services
    from houqin.finance.models import BudgetCategory, Receipt

    director = _actor(world, Role.DIRECTOR)
    services.categories_create_defaults(actor=_actor(world, Role.ACCOUNTANT))
    expense = services.expense_create(
        actor=director, title="打印纸", amount="12.00", spent_on=timezone.localdate(), payee="文具店",
        category=BudgetCategory.objects.filter(kindergarten=world.k1.kg).first())
    assert b"/J#61vaScript" in HOSTILE_PDFS["javascript"] and b"/JavaScript" not in HOSTILE_PDFS["javascript"]
    client = login(world.k1.users[Role.DIRECTOR])
    response = client.post(f"/api/k/k1/finance/expenses/{expense.code}/receipts",
                           {"file": upload_file(HOSTILE_PDFS["javascript"], "发票.pdf", "application/pdf")})
    assert response.status_code == 422, response.content
    assert "PDF" in response.json()["detail"]
    assert not Receipt.objects.exists() and not _stored_files(settings)
    ok = client.post(f"/api/k/k1/finance/expenses/{expense.code}/receipts",
                     {"file": upload_file(pdf_bytes(), "发票.pdf", "application/pdf")})
    assert ok.status_code == 201


def test_foodsafety_page_refuses_a_certificate_scan_pdf_with_a_launch_action(world, login, settings):
    from houqin.foodsafety.models import SupplierCertificate
    from houqin.stock.tests.conftest import make_store

    store = make_store(world)
    before = SupplierCertificate.objects.count()
    client = login(world.k1.users[Role.CANTEEN])
    response = client.post("/k/k1/foodsafety/certificates/new/", {
        "supplier": store.supplier.pk, "kind": "business_licence", "number": "91320100", "valid_until": "2027-06-30",
        "scan": upload_file(HOSTILE_PDFS["launch"], "营业执照.pdf", "application/pdf")})
    assert response.status_code == 200  # the form again, with the reason
    assert "营业执照.pdf" in response.content.decode()
    assert SupplierCertificate.objects.count() == before and not _stored_files(settings)


def test_staff_page_refuses_a_health_certificate_pdf_with_an_embedded_file(world, login, settings):
    from houqin.staff.models import HealthCertificate

    client = login(world.k1.users[Role.HEALTH_TEACHER])
    response = client.post("/k/k1/staff/certificates/new/", {
        "user": world.k1.users[Role.CANTEEN].pk, "issued_on": "2026-11-01",
        "scan": upload_file(HOSTILE_PDFS["embedded file"], "健康证.pdf", "application/pdf")})
    assert response.status_code == 200
    assert "健康证.pdf" in response.content.decode()
    assert not HealthCertificate.objects.exists() and not _stored_files(settings)


def _asset(world):
    from houqin.assets import services

    return services.asset_create(actor=_actor(world, Role.STOREKEEPER), name="钢琴", category="teaching",
                                 quantity=1, school_class=world.k1.classes[0])


def test_assets_api_refuses_a_photo_over_the_upload_limit(world, login, settings):
    settings.HOUQIN_UPLOAD_MAX_BYTES = 1024 * 1024
    asset = _asset(world)
    noise = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    assert out.tell() > settings.HOUQIN_UPLOAD_MAX_BYTES  # a real photo, only too large
    client = login(world.k1.users[Role.STOREKEEPER])
    response = client.post(f"/api/k/k1/assets/{asset.code}/photo",
                           {"file": upload_file(out.getvalue(), "piano.png", "image/png")})
    assert response.status_code == 422
    assert "1 MB" in response.json()["detail"]
    asset.refresh_from_db()
    assert not asset.photo and not _stored_files(settings)


def test_assets_page_refuses_a_renamed_program(world, login, settings):
    from houqin.assets.models import Asset

    client = login(world.k1.users[Role.STOREKEEPER])
    before = Asset.objects.count()
    response = client.post("/k/k1/assets/new/", {
        "name": "积木", "category": "teaching", "quantity": "5", "school_class": world.k1.classes[0].pk,
        "photo": upload_file(renamed_exe(), "积木.jpg", "image/jpeg")})
    assert response.status_code == 200
    assert "积木.jpg" in response.content.decode()
    assert Asset.objects.count() == before and not _stored_files(settings)


# --- a multipart request without its boundary ----------------------------------------------------

NO_BOUNDARY = b'--x\r\nContent-Disposition: form-data; name="location"\r\n\r\nA\r\n--x--\r\n'


@pytest.mark.parametrize("url", [
    "/api/k/k1/safety/hazards", "/api/k/k1/assets/{asset}/photo", "/api/k/k1/finance/expenses/{asset}/receipts",
    "/api/k/k1/roster/import", "/api/k/k1/asset-register/import",
])
def test_an_api_upload_without_a_multipart_boundary_is_a_clear_400(world, login, url):
    client = login(world.k1.users[Role.DIRECTOR])
    response = client.generic("POST", url.format(asset=_asset(world).code), NO_BOUNDARY,
                              content_type="multipart/form-data")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"] == "无法读取提交的表单或文件：请重新选择文件后再提交。"


def test_a_page_upload_without_a_multipart_boundary_is_a_clear_400_in_chinese(world, login):
    client = login(world.k1.users[Role.GUARD])
    response = client.generic("POST", "/k/k1/safety/hazards/new/", NO_BOUNDARY, content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.content.decode()
    assert "无法读取提交的表单或文件" in page and "Bad Request" not in page


# --- the reader itself ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(HOSTILE_PDFS))
def test_pdfs_with_active_content_are_refused(kind):
    with pytest.raises(DomainError) as exc:
        files.read_upload(upload_file(HOSTILE_PDFS[kind], "scan.pdf"), field="scan")
    assert exc.value.errors[0]["field"] == "scan"


def test_javascript_no_object_points_at_is_still_found():
    hidden = pdf_bytes(b"", (b"<< /S /JavaScript /JS (app.alert(1)) >>",))
    with pytest.raises(DomainError):
        files.read_upload(hidden)


def test_a_plain_pdf_is_written_again_without_its_metadata_and_trailing_bytes():
    content = pdf_bytes().replace(b"/Root 1 0 R", b"/Root 1 0 R /Info << /Author (Zhang San) >>")
    safe = files.read_upload(upload_file(content + b"<html>trailing</html>", "scan.pdf"))
    assert safe.kind == "pdf" and safe.content.startswith(b"%PDF-")
    assert b"Zhang San" not in safe.content and b"<html>" not in safe.content
    assert safe.name.endswith(".pdf") and safe.name != "scan.pdf"


def test_a_weasyprint_pdf_with_links_and_fonts_is_accepted():
    from weasyprint import HTML

    content = HTML(string='<p style="font-family: Noto Sans CJK SC">发票 <a href="https://example.cn">链接</a></p>').write_pdf()
    assert files.read_upload(content).kind == "pdf"


@pytest.mark.parametrize("fmt, kind", [("JPEG", "jpeg"), ("PNG", "png"), ("WEBP", "webp")])
def test_images_are_judged_by_content_and_re_encoded_upright_without_metadata(fmt, kind):
    exif = gps_exif()
    exif[0x0112] = 6  # orientation: turn 90° clockwise to show
    content = image_bytes(fmt, size=(40, 20), exif=exif)
    safe = files.read_upload(upload_file(content, "photo.gif", "text/html"), accept=files.IMAGES)
    assert safe.kind == kind and safe.name.endswith("." + safe.extension)
    image = Image.open(io.BytesIO(safe.content))
    assert image.size == (20, 40)  # the orientation applied
    assert not image.getexif() and b"Exif" not in safe.content and b"PhoneMaker" not in safe.content


def test_large_photos_are_scaled_to_the_setting(settings):
    settings.HOUQIN_UPLOAD_IMAGE_MAX_SIDE = 100
    safe = files.read_upload(image_bytes("PNG", size=(400, 200)))
    assert Image.open(io.BytesIO(safe.content)).size == (100, 50)


@pytest.mark.parametrize("content, name", [
    (b"", "empty.jpg"),
    (b"<svg onload=alert(1)>", "x.png"),
    (image_bytes("GIF"), "anim.gif"),
    (renamed_exe(), "setup.pdf"),
    (html_after_jpeg_header(), "a.jpg"),
    (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64, "IMG_0001.HEIC"),
])
def test_anything_else_is_refused_with_the_name_in_the_message(content, name):
    with pytest.raises(DomainError) as exc:
        files.read_upload(upload_file(content, name), field="photo")
    assert exc.value.errors == [{"field": "photo", "message": exc.value.message}]
    assert name in exc.value.message


def test_a_pdf_is_refused_where_only_photos_are_accepted():
    with pytest.raises(DomainError):
        files.read_upload(pdf_bytes(), accept=files.IMAGES)


def test_the_uploaded_name_is_shown_only_as_clean_text():
    safe = files.read_upload(upload_file(image_bytes("PNG"), "../../etc/\u202egpj.exe\x00.png"))
    assert safe.original_name == "gpj.exe.png"
    assert "/" not in safe.name and safe.name.endswith(".png")
