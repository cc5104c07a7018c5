"""The pages as people use them: the class teacher's phone form, the director's closing, photos
served only through the policy, labels and QR codes, the home page's to-dos."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from houqin.assets.models import Asset, AssetState, Handover, HandoverStatus
from houqin.org.models import Role

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 140, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def _count_data(handover, **overrides):
    data = {}
    for line in handover.lines.select_related("asset"):
        key = line.code.hex
        values = overrides.get(line.asset.name, {})
        data[f"counted_{key}"] = values.get("counted", str(line.expected_quantity))
        data[f"damaged_{key}"] = values.get("damaged", "")
        data[f"explanation_{key}"] = values.get("why", "")
    return data


def test_the_class_teacher_confirms_the_list_and_signs_on_the_phone_form(world, aw, login):
    client = login(world.k1.users[Role.CLASS_TEACHER])
    page = client.get(f"/k/k1/assets/handovers/{aw.own_handover.code}/").content.decode()
    assert 'data-testid="handover-sign"' in page and "幼儿椅" in page
    data = _count_data(aw.own_handover, 幼儿椅={"counted": "29", "why": "一把坏了送修"})
    response = client.post(f"/k/k1/assets/handovers/{aw.own_handover.code}/count/", {**data, "action": "sign"})
    assert response.status_code == 302
    handover = Handover.objects.get(pk=aw.own_handover.pk)
    assert handover.status == HandoverStatus.SIGNED and handover.signed_by == world.k1.users[Role.CLASS_TEACHER]
    page = client.get(f"/k/k1/assets/handovers/{handover.code}/").content.decode()
    assert 'data-testid="handover-signature"' in page and 'data-testid="handover-form"' not in page


def test_a_bad_count_shows_its_message_and_saves_nothing(world, aw, login):
    client = login(world.k1.users[Role.CLASS_TEACHER])
    data = _count_data(aw.own_handover, 幼儿椅={"counted": "25"})  # a difference without explanation
    response = client.post(f"/k/k1/assets/handovers/{aw.own_handover.code}/count/", {**data, "action": "sign"})
    assert response.status_code == 422
    assert "幼儿椅" in response.content.decode()
    assert not aw.own_handover.lines.filter(counted_quantity__isnull=False).exists()
    assert Handover.objects.get(pk=aw.own_handover.pk).status == HandoverStatus.OPEN
    data = _count_data(aw.own_handover, 幼儿桌={"counted": "-2", "why": "x"})
    assert client.post(f"/k/k1/assets/handovers/{aw.own_handover.code}/count/", data).status_code == 422
    assert not aw.own_handover.lines.filter(counted_quantity__isnull=False).exists()


def test_nursery_staff_see_the_handover_but_cannot_count_it(world, aw, login):
    client = login(world.k1.users[Role.NURSERY])
    page = client.get(f"/k/k1/assets/handovers/{aw.own_handover.code}/").content.decode()
    assert 'data-testid="handover-form"' not in page
    response = client.post(f"/k/k1/assets/handovers/{aw.own_handover.code}/count/", _count_data(aw.own_handover))
    assert response.status_code == 403
    assert not aw.own_handover.lines.filter(counted_quantity__isnull=False).exists()


def test_the_director_closes_with_a_charge_and_the_register_follows(world, aw, login):
    teacher = login(world.k1.users[Role.CLASS_TEACHER])
    data = _count_data(aw.own_handover, 幼儿椅={"counted": "28", "why": "丢了两把"})
    teacher.post(f"/k/k1/assets/handovers/{aw.own_handover.code}/count/", {**data, "action": "sign"})
    director = login(world.k1.users[Role.DIRECTOR])
    page = director.get(f"/k/k1/assets/handovers/{aw.own_handover.code}/").content.decode()
    assert 'data-testid="handover-close-form"' in page
    line = aw.own_handover.lines.get(asset=aw.chairs)
    key = line.code.hex
    bad = director.post(f"/k/k1/assets/handovers/{aw.own_handover.code}/close/", {f"negligence_{key}": "on"})
    assert bad.status_code == 422
    assert Handover.objects.get(pk=aw.own_handover.pk).status == HandoverStatus.SIGNED
    response = director.post(f"/k/k1/assets/handovers/{aw.own_handover.code}/close/", {
        f"negligence_{key}": "on", f"responsible_{key}": world.k1.users[Role.NURSERY].pk, f"amount_{key}": "91.00"})
    assert response.status_code == 302
    assert Handover.objects.get(pk=aw.own_handover.pk).status == HandoverStatus.CLOSED
    aw.chairs.refresh_from_db()
    assert aw.chairs.quantity == Decimal("28")
    line.refresh_from_db()
    assert line.amount_charged == Decimal("91.00")


def test_register_an_asset_with_a_photo_served_only_through_the_policy(world, aw, login, settings):
    client = login(world.k1.users[Role.STOREKEEPER])
    response = client.post("/k/k1/assets/new/", {
        "name": "积木", "category": "teaching", "room": aw.own_room.pk, "quantity": "5", "unit": "套",
        "unit_price": "168.00", "photo": SimpleUploadedFile("积木.png", _png(), content_type="image/png"),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    asset = Asset.objects.get(name="积木")
    photo_url = f"/k/k1/assets/{asset.code}/photo/"
    assert photo_url in client.get(response["Location"]).content.decode()
    served = client.get(photo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")
    assert login(world.k1.users[Role.CLASS_TEACHER]).get(photo_url).status_code == 200  # their class's asset
    assert login(world.k2.users[Role.PRINCIPAL]).get(photo_url).status_code == 404
    assert login(world.k1.users[Role.GUARD]).get(photo_url).status_code == 403
    from django.test import Client

    assert Client().get(photo_url).status_code == 302  # to the login page
    assert Client().get("/" + settings.MEDIA_URL + asset.photo.name).status_code == 404  # no public media URL
    assert client.get(f"/k/k1/assets/{aw.chairs.code}/photo/").status_code == 404  # no photo yet


def test_a_file_that_is_not_a_photo_is_refused_with_a_clear_message(world, aw, login, settings):
    settings.HOUQIN_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    client = login(world.k1.users[Role.STOREKEEPER])
    before = Asset.objects.count()
    response = client.post("/k/k1/assets/new/", {
        "name": "积木", "category": "teaching", "room": aw.own_room.pk, "quantity": "5",
        "photo": SimpleUploadedFile("积木.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg"),
    })
    assert response.status_code == 200
    assert "JPEG" in response.content.decode()
    assert Asset.objects.count() == before
    response = client.post(f"/k/k1/assets/{aw.chairs.code}/edit/", {
        "name": "幼儿椅", "category": "furniture", "room": aw.own_room.pk, "quantity": "30",
        "photo": SimpleUploadedFile("huge.jpg", b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024 + 1)),
    })
    assert response.status_code == 200 and "5 MB" in response.content.decode()
    aw.chairs.refresh_from_db()
    assert not aw.chairs.photo and aw.chairs.history.count() == 1


def test_the_asset_page_shows_the_qr_of_the_scan_address(world, aw, login):
    import segno

    page = login(world.k1.users[Role.DIRECTOR]).get(f"/k/k1/assets/{aw.chairs.code}/").content.decode()
    url = f"http://testserver/k/k1/assets/scan/{aw.chairs.label_code}/"
    assert url in page
    expected = segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=2)
    assert f'src="{expected}"' in page.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")


def test_labels_pdf_has_one_label_per_asset(world, aw, login, tmp_path):
    import subprocess

    from houqin.assets.models import Asset

    client = login(world.k1.users[Role.STOREKEEPER])
    response = client.get(f"/k/k1/assets/labels.pdf?room={aw.own_room.code}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdf = tmp_path / "labels.pdf"
    pdf.write_bytes(response.content)
    in_room = list(Asset.objects.filter(room=aw.own_room).values_list("label_code", flat=True))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert in_room and all(code in text for code in in_room)
    # one QR code a label, one pixel a module, drawn without smoothing (sharp when printed)
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in images.splitlines()[2:]]
    assert len(rows) == len(in_room)
    assert all(int(r[3]) == int(r[4]) <= 60 and r[9] == "no" for r in rows)
    one = client.get(f"/k/k1/assets/labels.pdf?asset={aw.chairs.code}")
    assert one.status_code == 200
    assert client.get(f"/k/k1/assets/labels.pdf?asset={aw.k2_asset.code}").status_code == 404


def test_scrap_needs_a_reason_on_the_page(world, aw, login):
    client = login(world.k1.users[Role.DIRECTOR])
    assert client.post(f"/k/k1/assets/{aw.kitchen_asset.code}/scrap/", {"reason": ""}).status_code == 200
    aw.kitchen_asset.refresh_from_db()
    assert aw.kitchen_asset.state == AssetState.IN_USE
    assert client.post(f"/k/k1/assets/{aw.kitchen_asset.code}/scrap/", {"reason": "漏电，无法维修"}).status_code == 302
    aw.kitchen_asset.refresh_from_db()
    assert aw.kitchen_asset.state == AssetState.SCRAPPED
    page = client.get(f"/k/k1/assets/{aw.kitchen_asset.code}/").content.decode()
    assert "漏电，无法维修" in page


def test_the_repair_button_links_to_the_repair_request_for_those_who_may_ask(world, aw, login):
    from django.urls import NoReverseMatch, resolve, reverse

    from houqin import policy

    try:
        url = reverse("finance:repair_request_create", kwargs={"kg": "k1"})
    except NoReverseMatch:
        url = None
    capability = policy.declared_capability(resolve(url).func) if url else None
    for role in (Role.DIRECTOR, Role.STOREKEEPER, Role.CLASS_TEACHER, Role.ACCOUNTANT):
        page = login(world.k1.users[role]).get(f"/k/k1/assets/{aw.chairs.code}/").content.decode()
        shown = url is not None and role in policy.CAPABILITIES[capability].grants
        assert (f"{url}?asset={aw.chairs.code}" in page) == shown, role
        assert ('data-testid="repair-request"' in page) == shown, role


def test_the_register_filters_by_room_class_category_state_and_search(world, aw, login):
    client = login(world.k1.users[Role.DIRECTOR])

    def names(query):
        response = client.get(f"/k/k1/assets/?{query}")
        return {a.name for a in response.context["page"]}

    assert names("") == {"幼儿椅", "幼儿桌", "钢琴", "消毒柜", "空调"}
    totals = client.get("/k/k1/assets/").context["totals"]
    assert totals == {"lines": 5, "value": Decimal("18016.00")}  # 30×45.50 + 8×320 + 8800 + 2×2600 + 2×45.50
    assert "¥18,016.00" in client.get("/k/k1/assets/").content.decode()
    assert names(f"room={aw.own_room.code}") == {"幼儿椅", "幼儿桌"}
    assert names(f"class={world.k1.other_class.code}") == {"钢琴"}
    assert names("category=kitchen") == {"消毒柜"}
    assert names("q=钢") == {"钢琴"}
    assert names(f"q={aw.kitchen_asset.label_code}") == {"消毒柜"}
    aw.far_asset.state = AssetState.SCRAPPED
    aw.far_asset.save()
    assert "空调" not in names("") and names("state=scrapped") == {"空调"}
    partial = client.get("/k/k1/assets/?q=钢", HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "钢琴" in partial.content.decode()


def test_home_shows_the_handover_to_dos(world, aw, login):
    teacher_home = login(world.k1.users[Role.CLASS_TEACHER]).get("/k/k1/").content.decode()
    assert f"/k/k1/assets/handovers/{aw.own_handover.code}/" in teacher_home
    assert f"/k/k1/assets/handovers/{aw.other_handover.code}/" not in teacher_home
    director_home = login(world.k1.users[Role.DIRECTOR]).get("/k/k1/").content.decode()
    assert "/k/k1/assets/handovers/?status=open" in director_home
    assert f"/k/k1/assets/stocktakes/{aw.kitchen_stocktake.code}/" in director_home
    nursery_home = login(world.k1.users[Role.NURSERY]).get("/k/k1/").content.decode()
    assert f"/k/k1/assets/handovers/{aw.own_handover.code}/" not in nursery_home  # they do not sign


def test_rooms_and_stocktakes_pages(world, aw, login):
    client = login(world.k1.users[Role.STOREKEEPER])
    response = client.post("/k/k1/assets/rooms/new/", {"campus": world.k1.campuses[0].pk, "name": "保健室"})
    assert response.status_code == 302
    response = client.post("/k/k1/assets/rooms/new/", {"campus": world.k1.campuses[0].pk, "name": "保健室"})
    assert response.status_code == 200  # the same name again: the form says so
    response = client.post("/k/k1/assets/stocktakes/new/", {"room": aw.own_room.pk, "counted_on": "2026-11-02"})
    assert response.status_code == 302
    stocktake_url = response["Location"]
    page = client.get(stocktake_url)
    form = page.context["form"]
    data = {f"counted_{l.code.hex}": str(l.expected_quantity) for l in form.lines}
    data.update({f"explanation_{l.code.hex}": "" for l in form.lines})
    response = client.post(stocktake_url + "count/", {**data, "action": "post"})
    assert response.status_code == 302
    assert "stocktake-form" not in client.get(stocktake_url).content.decode()
