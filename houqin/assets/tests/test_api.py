"""The JSON API: the same policy and services as the pages; decimals travel as strings."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import Image

from houqin.assets.models import Asset, AssetState, Handover, HandoverStatus, StocktakeStatus
from houqin.org.models import Role

pytestmark = pytest.mark.django_db

JSON = "application/json"


def test_create_asset_through_the_api(world, aw, login):
    client = login(world.k1.users[Role.STOREKEEPER])
    response = client.post("/api/k/k1/assets", {
        "name": "滑梯", "category": "outdoor", "quantity": "1", "unit": "套", "unit_price": "12800.00",
        "room_code": str(aw.kitchen.code), "purchase_date": "2025-06-01", "custodian_username": "director",
    }, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["label_code"].startswith("ZC-") and body["unit_price"] == "12800.00"
    assert body["custodian"] == world.k1.users[Role.DIRECTOR].display_name
    assert body["scan_url"].endswith(f"/k/k1/assets/scan/{body['label_code']}/")
    assert Asset.objects.get(code=body["code"]).kindergarten == world.k1.kg


def test_bad_input_is_422_with_field_errors_and_saves_nothing(world, aw, login):
    client = login(world.k1.users[Role.STOREKEEPER])
    before = Asset.objects.count()
    response = client.post("/api/k/k1/assets", {"name": "滑梯", "category": "outdoor", "quantity": "-1",
                                                "room_code": str(aw.kitchen.code)}, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "quantity"
    response = client.post("/api/k/k1/assets", {"name": "滑梯"}, content_type=JSON)
    assert response.status_code == 422
    response = client.post("/api/k/k1/assets", {"name": "滑梯", "category": "outdoor", "quantity": "1",
                                                "room_code": str(aw.k2_room.code)}, content_type=JSON)
    assert response.status_code == 404
    response = client.post("/api/k/k1/assets", {"name": "滑梯", "category": "outdoor", "quantity": "1",
                                                "room_code": str(aw.kitchen.code), "custodian_username": "parent"},
                           content_type=JSON)
    assert response.status_code == 404
    assert Asset.objects.count() == before


def test_patch_ignores_mass_assignment(world, aw, login):
    client = login(world.k1.users[Role.STOREKEEPER])
    response = client.patch(f"/api/k/k1/assets/{aw.chairs.code}", {
        "quantity": "29", "kindergarten": world.k2.kg.pk, "label_code": "HACK", "state": "scrapped",
    }, content_type=JSON)
    assert response.status_code == 200, response.content
    aw.chairs.refresh_from_db()
    assert aw.chairs.quantity == Decimal("29") and aw.chairs.kindergarten == world.k1.kg
    assert aw.chairs.label_code != "HACK" and aw.chairs.state == AssetState.IN_USE


def test_state_changes_through_the_api(world, aw, login):
    storekeeper = login(world.k1.users[Role.STOREKEEPER])
    url = f"/api/k/k1/assets/{aw.kitchen_asset.code}/state"
    assert storekeeper.post(url, {"state": "under_repair", "reason": "不制热"}, content_type=JSON).status_code == 200
    assert storekeeper.post(url, {"state": "scrapped", "reason": "坏"}, content_type=JSON).status_code == 403
    director = login(world.k1.users[Role.DIRECTOR])
    assert director.post(url, {"state": "scrapped"}, content_type=JSON).status_code == 422
    assert director.post(url, {"state": "scrapped", "reason": "修不好"}, content_type=JSON).json()["state"] == "scrapped"
    assert director.post(url, {"state": "in_use"}, content_type=JSON).status_code == 409
    teacher = login(world.k1.users[Role.CLASS_TEACHER])
    assert teacher.post(url, {"state": "in_use"}, content_type=JSON).status_code == 404  # not their class
    assert teacher.post(f"/api/k/k1/assets/{aw.chairs.code}/state", {"state": "under_repair"},
                        content_type=JSON).status_code == 403


def test_photo_upload_through_the_api(world, aw, login):
    client = login(world.k1.users[Role.STOREKEEPER])
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, format="JPEG")
    url = f"/api/k/k1/assets/{aw.chairs.code}/photo"
    response = client.post(url, {"file": SimpleUploadedFile("a.jpg", buffer.getvalue(), content_type="image/jpeg")})
    assert response.status_code == 200 and response.json()["photo_url"].endswith("/photo/")
    response = client.post(url, {"file": SimpleUploadedFile("a.jpg", b"GIF89a....", content_type="image/jpeg")})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "photo"


def test_the_handover_through_the_api(world, aw, login):
    teacher = login(world.k1.users[Role.CLASS_TEACHER])
    url = f"/api/k/k1/asset-handovers/{aw.own_handover.code}"
    detail = teacher.get(url).json()
    assert detail["status"] == "open" and len(detail["lines"]) == 2
    lines = [{"line_code": l["code"], "counted_quantity": l["expected_quantity"]} for l in detail["lines"]]
    lines[0]["counted_quantity"] = "29"
    bad = teacher.post(url + "/count", {"lines": lines, "sign": True}, content_type=JSON)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].endswith(".explanation")
    assert Handover.objects.get(pk=aw.own_handover.pk).status == HandoverStatus.OPEN
    lines[0]["explanation"] = "一把坏了"
    lines[0]["damaged_quantity"] = "0"
    signed = teacher.post(url + "/count", {"lines": lines, "sign": True}, content_type=JSON)
    assert signed.status_code == 200, signed.content
    assert signed.json()["status"] == "signed" and signed.json()["signed_by"]
    assert teacher.post(url + "/close", {}, content_type=JSON).status_code == 403
    director = login(world.k1.users[Role.DIRECTOR])
    chairs = next(l for l in signed.json()["lines"] if l["counted_quantity"] == "29.00")
    closed = director.post(url + "/close", {"charges": [
        {"line_code": chairs["code"], "negligence": True, "responsible_username": "nursery",
         "amount_charged": "45.50"}]}, content_type=JSON)
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed"
    assert director.post(url + "/return", {"reason": "x"}, content_type=JSON).status_code == 409
    other = login(world.k1.users[Role.CLASS_TEACHER]).post(
        f"/api/k/k1/asset-handovers/{aw.other_handover.code}/count", {"lines": []}, content_type=JSON)
    assert other.status_code == 404


def test_open_a_handover_and_a_stocktake_through_the_api(world, aw, login):
    director = login(world.k1.users[Role.DIRECTOR])
    response = director.post("/api/k/k1/asset-handovers", {
        "class_code": str(world.k1.own_class.code), "school_year": 2026, "term": "autumn", "kind": "end",
    }, content_type=JSON)
    assert response.status_code == 201 and len(response.json()["lines"]) == 2
    assert director.post("/api/k/k1/asset-handovers", {
        "class_code": str(world.k1.own_class.code), "school_year": 2026, "term": "autumn", "kind": "end",
    }, content_type=JSON).status_code == 409
    response = director.post("/api/k/k1/asset-stocktakes", {"room_code": str(aw.own_room.code),
                                                          "counted_on": "2026-11-02"}, content_type=JSON)
    assert response.status_code == 201
    body = response.json()
    counts = [{"line_code": l["code"], "counted_quantity": l["expected_quantity"]} for l in body["lines"]]
    posted = director.post(f"/api/k/k1/asset-stocktakes/{body['code']}/count", {"lines": counts, "post": True},
                           content_type=JSON)
    assert posted.status_code == 200 and posted.json()["status"] == StocktakeStatus.POSTED


def test_import_through_the_api(world, aw, login):
    workbook = Workbook()
    workbook.active.append(["名称", "类别", "存放地点", "数量"])
    workbook.active.append(["跳绳", "教玩具", "厨房", 20])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client = login(world.k1.users[Role.STOREKEEPER])
    response = client.post("/api/k/k1/asset-register/import",
                           {"file": SimpleUploadedFile("r.xlsx", buffer.getvalue())})
    assert response.status_code == 200 and response.json()["created"] == 1
    response = client.post("/api/k/k1/asset-register/import",
                           {"file": SimpleUploadedFile("r.xlsx", buffer.getvalue())})
    assert response.status_code == 422 and response.json()["errors"][0]["code"] == "already_registered"
