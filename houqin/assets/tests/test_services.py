"""The use cases as plain functions: the register, rooms, state machine, photos, handovers and
stocktakes — and every bad input leaves everything as it was."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone
from PIL import Image

from houqin.assets import services
from houqin.assets.models import (
    Asset,
    AssetState,
    AssetStocktake,
    Category,
    Handover,
    HandoverLine,
    HandoverStatus,
    Room,
    StocktakeStatus,
)
from houqin.assets.tests.factories import AssetFactory
from houqin.core.errors import Conflict, DomainError, Forbidden
from houqin.core.models import ProtectedRecordError
from houqin.org.models import Role

pytestmark = pytest.mark.django_db


def _snapshot():
    """Counts and the quantities and states of every asset: what “nothing changed” compares."""
    return (Asset.objects.count(), Room.objects.count(), Handover.objects.count(), HandoverLine.objects.count(),
            AssetStocktake.objects.count(), Asset.history.count(),
            sorted(Asset.objects.values_list("pk", "quantity", "state", "voided_at")),
            sorted(Handover.objects.values_list("pk", "status", "signed_at")),
            sorted(HandoverLine.objects.values_list("pk", "counted_quantity", "damaged_quantity", "explanation",
                                                    "negligence", "amount_charged")))


def _png(size=(40, 30), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format=fmt)
    return buffer.getvalue()


def _new(actor, aw, **kwargs):
    data = {"name": "玩具柜", "category": Category.FURNITURE, "quantity": Decimal("4"), "room": aw.own_room,
            "unit": "个", "unit_price": Decimal("680.00"), "purchase_date": dt.date(2026, 8, 15)}
    data.update(kwargs)
    return services.asset_create(actor=actor, **data)


# --- the register ----------------------------------------------------------------------------


def test_asset_create_takes_campus_and_class_from_the_room_and_numbers_the_label(world, aw, actor):
    storekeeper = actor(Role.STOREKEEPER)
    first = _new(storekeeper, aw)
    second = _new(storekeeper, aw, name="图书架", room=aw.kitchen)
    year = timezone.localdate().year
    assert first.label_code == f"ZC-{year}-0001" and second.label_code == f"ZC-{year}-0002"
    assert first.school_class == world.k1.own_class and first.campus == aw.own_room.campus
    assert second.school_class is None
    assert first.value == Decimal("2720.00")
    assert first.history.count() == 1 and first.created_by == world.k1.users[Role.STOREKEEPER]
    # another kindergarten numbers its own labels
    assert _new(actor(Role.STOREKEEPER, "k2"), aw, room=aw.k2_room).label_code == f"ZC-{year}-0001"


def test_asset_create_with_a_class_and_no_room(world, aw, actor):
    asset = _new(actor(Role.DIRECTOR), aw, room=None, school_class=world.k1.other_class)
    assert asset.room is None and asset.school_class == world.k1.other_class
    assert asset.campus == world.k1.other_class.campus


@pytest.mark.parametrize("changes, field", [
    ({"name": "  "}, "name"),
    ({"quantity": Decimal("0")}, "quantity"),
    ({"quantity": Decimal("-3")}, "quantity"),
    ({"quantity": Decimal("1.234")}, "quantity"),
    ({"quantity": "many"}, "quantity"),
    ({"unit_price": Decimal("-1")}, "unit_price"),
    ({"unit_price": Decimal("12.345")}, "unit_price"),
    ({"purchase_date": dt.date(2099, 1, 1)}, "purchase_date"),
    ({"category": "spaceship"}, "category"),
    ({"room": None}, "room"),
    ({"school_class": "other_class"}, "school_class"),
    ({"custodian": "parent"}, "custodian"),
])
def test_asset_create_refuses_bad_input_and_changes_nothing(world, aw, actor, changes, field):
    if changes.get("school_class") == "other_class":
        changes = {"school_class": world.k1.other_class}  # the own class's room, another class
    if changes.get("custodian") == "parent":
        changes = {"custodian": world.k1.users[Role.PARENT]}
    before = _snapshot()
    with pytest.raises(DomainError) as exc:
        _new(actor(Role.STOREKEEPER), aw, **changes)
    assert field in {e["field"] for e in exc.value.errors}, exc.value.errors
    assert str(exc.value.message)
    assert _snapshot() == before


def test_asset_create_needs_the_capability_and_a_place_of_the_kindergarten(world, aw, actor):
    before = _snapshot()
    with pytest.raises(Forbidden):
        _new(actor(Role.CLASS_TEACHER), aw)
    with pytest.raises(Http404):
        _new(actor(Role.STOREKEEPER), aw, room=aw.k2_room)
    assert _snapshot() == before


def test_a_campus_director_cannot_register_on_another_campus(world, aw, actor):
    membership = world.k1.users[Role.DIRECTOR].memberships.get()
    membership.campus = world.k1.campuses[1]
    membership.save()
    with pytest.raises(Http404):
        _new(actor(Role.DIRECTOR), aw, room=aw.kitchen)
    assert _new(actor(Role.DIRECTOR), aw, room=aw.far_room).campus == world.k1.campuses[1]


def test_asset_update_keeps_history_and_moves_the_class_with_the_room(world, aw, actor):
    asset = services.asset_update(actor=actor(Role.STOREKEEPER), asset=aw.chairs, room=aw.other_room,
                                  quantity=Decimal("28"))
    asset.refresh_from_db()
    assert asset.school_class == world.k1.other_class and asset.quantity == Decimal("28")
    assert asset.history.count() == 2
    with pytest.raises(DomainError):
        services.asset_update(actor=actor(Role.STOREKEEPER), asset=asset, kindergarten=world.k2.kg)
    asset.refresh_from_db()
    assert asset.kindergarten == world.k1.kg


def test_asset_state_machine(world, aw, actor):
    storekeeper, director = actor(Role.STOREKEEPER), actor(Role.DIRECTOR)
    asset = services.asset_set_state(actor=storekeeper, asset=aw.chairs, state=AssetState.UNDER_REPAIR,
                                     reason="椅腿松动")
    assert asset.state == AssetState.UNDER_REPAIR
    assert asset.state_changed_by == world.k1.users[Role.STOREKEEPER] and asset.state_changed_at is not None
    asset = services.asset_set_state(actor=storekeeper, asset=asset, state=AssetState.IN_USE)
    assert asset.state == AssetState.IN_USE
    with pytest.raises(Conflict):
        services.asset_set_state(actor=storekeeper, asset=asset, state=AssetState.IN_USE)
    with pytest.raises(Forbidden):  # scrapping needs assets.scrap
        services.asset_set_state(actor=storekeeper, asset=asset, state=AssetState.SCRAPPED, reason="坏了")
    before = _snapshot()
    with pytest.raises(DomainError) as exc:
        services.asset_set_state(actor=director, asset=asset, state=AssetState.SCRAPPED, reason=" ")
    assert exc.value.errors[0]["field"] == "reason"
    assert _snapshot() == before
    asset = services.asset_set_state(actor=director, asset=asset, state=AssetState.SCRAPPED, reason="严重损坏，无法维修")
    assert asset.state == AssetState.SCRAPPED and asset.state_reason == "严重损坏，无法维修"
    for state in (AssetState.IN_USE, AssetState.UNDER_REPAIR):  # scrapped is final
        with pytest.raises(Conflict):
            services.asset_set_state(actor=director, asset=asset, state=state)
    with pytest.raises(DomainError):
        services.asset_update(actor=storekeeper, asset=asset, name="新名字")


def test_assets_are_voided_never_deleted(world, aw, actor):
    with pytest.raises(ProtectedRecordError):
        aw.kitchen_asset.delete()
    with pytest.raises(ProtectedRecordError):
        Asset.objects.filter(pk=aw.kitchen_asset.pk).delete()
    with pytest.raises(DomainError):
        services.asset_void(actor=actor(Role.DIRECTOR), asset=aw.far_asset, reason="")
    with pytest.raises(Conflict):  # on the open handover of its class
        services.asset_void(actor=actor(Role.DIRECTOR), asset=aw.chairs, reason="录错了")
    asset = services.asset_void(actor=actor(Role.DIRECTOR), asset=aw.far_asset, reason="录错了")
    assert asset.is_voided and asset.void_reason == "录错了"
    assert Asset.objects.filter(pk=asset.pk).exists()


# --- photos ----------------------------------------------------------------------------------


def test_a_photo_is_checked_by_content_and_stored_re_encoded(world, aw, actor, settings):
    upload = SimpleUploadedFile("椅子.png", _png((3000, 1500)), content_type="image/png")
    asset = services.asset_update(actor=actor(Role.STOREKEEPER), asset=aw.chairs, photo=upload)
    asset.refresh_from_db()
    assert asset.photo.name.startswith(f"assets/{world.k1.kg.code}/") and asset.photo.name.endswith(".png")
    with asset.photo.open("rb") as stored:
        image = Image.open(stored)
        assert max(image.size) == settings.HOUQIN_UPLOAD_IMAGE_MAX_SIDE  # scaled down
    assert str(settings.MEDIA_ROOT) in asset.photo.path


@pytest.mark.parametrize("name, content, message_part", [
    ("photo.jpg", b"this is not an image at all", "JPEG"),
    ("photo.jpg", b"", "photo.jpg"),
    ("animation.gif", "gif", "JPEG"),
    ("big.jpg", "big", "10 MB"),
    ("script.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "JPEG"),
    ("truncated.png", "truncated", "truncated.png"),
])
def test_a_photo_that_is_not_an_image_or_too_large_is_refused_and_nothing_changes(world, aw, actor, name, content,
                                                                                    message_part):
    if content == "gif":
        content = _png(fmt="GIF")
    elif content == "big":
        content = b"\xff\xd8\xff\xe0" + b"0" * (10 * 1024 * 1024 + 10)
    elif content == "truncated":
        content = _png((400, 400))[:200]
    before = _snapshot()
    with pytest.raises(DomainError) as exc:
        services.asset_update(actor=actor(Role.STOREKEEPER), asset=aw.chairs,
                              photo=SimpleUploadedFile(name, content, content_type="image/jpeg"))
    assert exc.value.errors[0]["field"] == "photo"
    assert message_part in exc.value.message
    assert _snapshot() == before
    aw.chairs.refresh_from_db()
    assert not aw.chairs.photo
    with pytest.raises(DomainError):
        _new(actor(Role.STOREKEEPER), aw, photo=SimpleUploadedFile(name, content))
    assert _snapshot() == before


# --- rooms -----------------------------------------------------------------------------------


def test_rooms_are_unique_per_campus_and_their_class_is_on_the_campus(world, aw, actor):
    storekeeper = actor(Role.STOREKEEPER)
    room = services.room_create(actor=storekeeper, campus=world.k1.campuses[0], name="保健室")
    assert room.kindergarten == world.k1.kg
    before = _snapshot()
    with pytest.raises(DomainError):
        services.room_create(actor=storekeeper, campus=world.k1.campuses[0], name="保健室")
    with pytest.raises(DomainError):
        services.room_create(actor=storekeeper, campus=world.k1.campuses[1], name="x", school_class=world.k1.own_class)
    with pytest.raises(Http404):
        services.room_create(actor=storekeeper, campus=world.k2.campuses[0], name="门卫室")
    with pytest.raises(Forbidden):
        services.room_create(actor=actor(Role.CLASS_TEACHER), campus=world.k1.campuses[0], name="门卫室")
    assert _snapshot() == before
    assert services.room_create(actor=storekeeper, campus=world.k1.campuses[1], name="保健室").pk


# --- class handovers -------------------------------------------------------------------------


def test_handover_open_lists_the_class_assets(world, aw, actor):
    director = actor(Role.DIRECTOR)
    handover = services.handover_open(actor=director, school_class=world.k1.own_class, school_year=2026,
                                      term="autumn", kind="end", due_on=dt.date(2027, 1, 20))
    lines = {l.asset: l.expected_quantity for l in handover.lines.all()}
    assert lines == {aw.chairs: Decimal("30"), aw.tables: Decimal("8")}
    before = _snapshot()
    with pytest.raises(Conflict):
        services.handover_open(actor=director, school_class=world.k1.own_class, school_year=2026, term="autumn",
                               kind="end")
    with pytest.raises(Forbidden):
        services.handover_open(actor=actor(Role.CLASS_TEACHER), school_class=world.k1.own_class, school_year=2026,
                               term="spring", kind="start")
    with pytest.raises(DomainError):  # no such term
        services.handover_open(actor=director, school_class=world.k1.own_class, school_year=2026, term="winter",
                               kind="start")
    assert _snapshot() == before


def test_handover_open_for_classes_skips_classes_that_have_one_or_no_assets(world, aw, actor):
    created = services.handover_open_for_classes(actor=actor(Role.DIRECTOR), school_year=2026, term="autumn",
                                                 kind="start")
    assert [h.school_class for h in created] == [world.k1.classes[2]]  # 大一班: the others already have one
    with pytest.raises(DomainError):
        services.handover_open_for_classes(actor=actor(Role.DIRECTOR), school_year=2026, term="autumn", kind="start")


def _counts(handover, **by_name):
    out = []
    for line in handover.lines.select_related("asset"):
        values = by_name.get(line.asset.name, {})
        out.append({"line": line, "counted_quantity": values.get("counted", line.expected_quantity),
                    "damaged_quantity": values.get("damaged", Decimal("0")),
                    "explanation": values.get("why", "")})
    return out


def test_the_handover_state_machine_refuses_illegal_moves(world, aw, actor):
    director, teacher = actor(Role.DIRECTOR), actor(Role.CLASS_TEACHER)
    before = _snapshot()
    with pytest.raises(Conflict):  # open → closed skips the signature
        services.handover_close(actor=director, handover=aw.own_handover)
    with pytest.raises(Conflict):  # open → open
        services.handover_return(actor=director, handover=aw.own_handover, reason="x")
    with pytest.raises(DomainError):
        services.handover_set_status(actor=director, handover=aw.own_handover, status="lost")
    assert _snapshot() == before
    services.handover_confirm(actor=teacher, handover=aw.own_handover, counts=_counts(aw.own_handover), sign=True)
    with pytest.raises(Conflict):  # signed → signed
        services.handover_sign(actor=teacher, handover=aw.own_handover)


def test_the_class_teacher_counts_and_signs_and_the_director_closes(world, aw, actor):
    teacher, director = actor(Role.CLASS_TEACHER), actor(Role.DIRECTOR)
    handover = aw.own_handover
    counts = _counts(handover, 幼儿椅={"counted": Decimal("28"), "why": "两把丢失"},
                     幼儿桌={"damaged": Decimal("2"), "why": "桌面开裂"})
    handover = services.handover_confirm(actor=teacher, handover=handover, counts=counts, sign=True)
    assert handover.status == HandoverStatus.SIGNED
    assert handover.signed_by == world.k1.users[Role.CLASS_TEACHER] and handover.signed_at is not None
    # signed: read-only for the teacher
    with pytest.raises(Conflict):
        services.handover_record(actor=teacher, handover=handover, counts=_counts(handover))
    # the director charges the lost chairs to the person responsible, then closes
    chairs_line = handover.lines.get(asset=aw.chairs)
    handover = services.handover_close(actor=director, handover=handover, assessments=[
        {"line": chairs_line, "negligence": True, "responsible": world.k1.users[Role.NURSERY],
         "amount_charged": Decimal("91.00")}])
    assert handover.status == HandoverStatus.CLOSED and handover.closed_by == world.k1.users[Role.DIRECTOR]
    chairs_line.refresh_from_db()
    assert chairs_line.amount_charged == Decimal("91.00") and chairs_line.responsible == world.k1.users[Role.NURSERY]
    # the register took the differences: 2 chairs fewer; 2 of 8 tables split off under repair
    aw.chairs.refresh_from_db()
    aw.tables.refresh_from_db()
    assert aw.chairs.quantity == Decimal("28") and aw.chairs.state == AssetState.IN_USE
    assert aw.tables.quantity == Decimal("6") and aw.tables.state == AssetState.IN_USE
    damaged = Asset.objects.get(name="幼儿桌", state=AssetState.UNDER_REPAIR)
    assert damaged.quantity == Decimal("2") and damaged.school_class == world.k1.own_class
    assert damaged.label_code != aw.tables.label_code and aw.tables.label_code in damaged.notes
    assert aw.chairs.history.first().history_change_reason  # why the quantity changed
    with pytest.raises(Conflict):
        services.handover_return(actor=director, handover=handover, reason="重新清点")


def test_signing_needs_every_line_counted_and_every_difference_explained(world, aw, actor):
    teacher = actor(Role.CLASS_TEACHER)
    handover = aw.own_handover
    before = _snapshot()
    with pytest.raises(DomainError) as exc:  # nothing counted yet
        services.handover_sign(actor=teacher, handover=handover)
    assert len(exc.value.errors) == 2
    assert _snapshot() == before
    with pytest.raises(DomainError) as exc:  # a difference without an explanation: not saved, not signed
        services.handover_confirm(actor=teacher, handover=handover,
                                  counts=_counts(handover, 幼儿椅={"counted": Decimal("29")}), sign=True)
    assert exc.value.errors[0]["field"].endswith(".explanation")
    assert _snapshot() == before
    with pytest.raises(DomainError):  # more damaged than found
        services.handover_record(actor=teacher, handover=handover,
                                 counts=_counts(handover, 幼儿桌={"counted": Decimal("1"), "damaged": Decimal("2"),
                                                              "why": "x"}))
    with pytest.raises(DomainError):  # negative
        services.handover_record(actor=teacher, handover=handover,
                                 counts=_counts(handover, 幼儿桌={"counted": Decimal("-1"), "why": "x"}))
    assert _snapshot() == before


def test_only_the_logistics_office_decides_charges(world, aw, actor):
    teacher = actor(Role.CLASS_TEACHER)
    line = aw.own_handover.lines.first()
    with pytest.raises(Forbidden):
        services.handover_record(actor=teacher, handover=aw.own_handover,
                                 counts=[{"line": line, "negligence": True, "amount_charged": Decimal("5")}])


def test_charges_need_a_person_of_staff_and_an_amount(world, aw, actor):
    teacher, director = actor(Role.CLASS_TEACHER), actor(Role.DIRECTOR)
    handover = services.handover_confirm(actor=teacher, handover=aw.own_handover, sign=True,
                                         counts=_counts(aw.own_handover, 幼儿椅={"counted": Decimal("29"), "why": "丢失"}))
    line = handover.lines.get(asset=aw.chairs)
    before = _snapshot()
    bad = [
        {"line": line, "negligence": True, "responsible": None, "amount_charged": Decimal("45.5")},
        {"line": line, "negligence": True, "responsible": world.k1.users[Role.NURSERY], "amount_charged": None},
        {"line": line, "negligence": True, "responsible": world.k1.users[Role.PARENT], "amount_charged": Decimal("1")},
        {"line": line, "negligence": True, "responsible": world.k2.users[Role.NURSERY], "amount_charged": Decimal("1")},
        {"line": line, "negligence": False, "responsible": world.k1.users[Role.NURSERY],
         "amount_charged": Decimal("1")},
        {"line": line, "negligence": True, "responsible": world.k1.users[Role.NURSERY],
         "amount_charged": Decimal("1.001")},
    ]
    for entry in bad:
        with pytest.raises(DomainError):
            services.handover_close(actor=director, handover=handover, assessments=[entry])
        assert _snapshot() == before, entry
    aw.chairs.refresh_from_db()
    assert aw.chairs.quantity == Decimal("30")


def test_return_for_correction_clears_the_signature(world, aw, actor):
    teacher, director = actor(Role.CLASS_TEACHER), actor(Role.DIRECTOR)
    handover = services.handover_confirm(actor=teacher, handover=aw.own_handover, counts=_counts(aw.own_handover),
                                         sign=True)
    with pytest.raises(DomainError):
        services.handover_return(actor=director, handover=handover, reason="")
    handover = services.handover_return(actor=director, handover=handover, reason="桌子数量不对")
    assert handover.status == HandoverStatus.OPEN and handover.signed_at is None
    assert handover.returned_reason == "桌子数量不对"
    assert handover.history.filter(status=HandoverStatus.SIGNED).exists()  # the signature stays in history


def test_who_may_count_and_sign(world, aw, actor):
    counts = _counts(aw.own_handover)
    with pytest.raises(Forbidden):  # nursery staff see the class's handover but do not count it
        services.handover_record(actor=actor(Role.NURSERY), handover=aw.own_handover, counts=counts)
    with pytest.raises(Forbidden):  # the class teacher of another class
        services.handover_record(actor=actor(Role.CLASS_TEACHER), handover=aw.other_handover,
                                 counts=_counts(aw.other_handover))
    services.handover_record(actor=actor(Role.DIRECTOR), handover=aw.own_handover, counts=counts)
    with pytest.raises(Forbidden):  # only the class teacher signs
        services.handover_sign(actor=actor(Role.DIRECTOR), handover=aw.own_handover)
    with pytest.raises(Http404):  # a line of another handover
        services.handover_record(actor=actor(Role.DIRECTOR), handover=aw.own_handover,
                                 counts=_counts(aw.other_handover))


def test_closing_when_everything_is_damaged_puts_the_row_under_repair(world, aw, actor):
    handover = services.handover_confirm(
        actor=actor(Role.CLASS_TEACHER), handover=aw.own_handover, sign=True,
        counts=_counts(aw.own_handover, 幼儿桌={"damaged": Decimal("8"), "why": "水泡变形"}))
    services.handover_close(actor=actor(Role.STOREKEEPER), handover=handover)
    aw.tables.refresh_from_db()
    assert aw.tables.state == AssetState.UNDER_REPAIR and aw.tables.quantity == Decimal("8")
    assert Asset.objects.filter(name="幼儿桌").count() == 1


def test_a_voided_handover_frees_the_class_for_a_new_one(world, aw, actor):
    director = actor(Role.DIRECTOR)
    with pytest.raises(DomainError):
        services.handover_void(actor=director, handover=aw.own_handover, reason="")
    services.handover_void(actor=director, handover=aw.own_handover, reason="开错了")
    again = services.handover_open(actor=director, school_class=world.k1.own_class, school_year=2026, term="autumn",
                                   kind="start")
    assert again.pk != aw.own_handover.pk


# --- asset stocktakes ------------------------------------------------------------------------


def _count(stocktake, **by_name):
    return [{"line": l, "counted_quantity": by_name.get(l.asset.name, (l.expected_quantity, ""))[0],
             "explanation": by_name.get(l.asset.name, (None, ""))[1]}
            for l in stocktake.lines.select_related("asset")]


def test_a_stocktake_of_a_room_posts_the_counted_quantities(world, aw, actor):
    storekeeper = actor(Role.STOREKEEPER)
    AssetFactory(room=aw.kitchen, name="冰箱", quantity=Decimal("3"), school_class=None)
    stocktake = services.stocktake_open(actor=storekeeper, room=aw.own_room, counted_on=dt.date(2026, 11, 2))
    assert {l.asset for l in stocktake.lines.all()} == {aw.chairs, aw.tables}
    with pytest.raises(Conflict):
        services.stocktake_open(actor=storekeeper, room=aw.own_room, counted_on=dt.date(2026, 11, 2))
    stocktake = services.stocktake_count_and_post(
        actor=storekeeper, stocktake=stocktake, post=True,
        counts=_count(stocktake, 幼儿椅=(Decimal("31"), "从中一班借来一把")))
    assert stocktake.status == StocktakeStatus.POSTED and stocktake.posted_by == world.k1.users[Role.STOREKEEPER]
    aw.chairs.refresh_from_db()
    assert aw.chairs.quantity == Decimal("31")
    with pytest.raises(Conflict):
        services.stocktake_record(actor=storekeeper, stocktake=stocktake, counts=_count(stocktake))
    with pytest.raises(Conflict):  # posted is final
        services.stocktake_post(actor=storekeeper, stocktake=stocktake)
    with pytest.raises(Conflict):
        services.stocktake_void(actor=storekeeper, stocktake=stocktake, reason="x")


def test_a_stocktake_cannot_be_posted_with_lines_uncounted_or_unexplained(world, aw, actor):
    storekeeper = actor(Role.STOREKEEPER)
    stocktake = aw.kitchen_stocktake
    before = _snapshot()
    with pytest.raises(DomainError):
        services.stocktake_post(actor=storekeeper, stocktake=stocktake)
    with pytest.raises(DomainError) as exc:
        services.stocktake_count_and_post(actor=storekeeper, stocktake=stocktake, post=True,
                                          counts=_count(stocktake, 消毒柜=(Decimal("1"), "")))
    assert exc.value.errors[0]["field"].endswith(".explanation")
    with pytest.raises(DomainError):
        services.stocktake_record(actor=storekeeper, stocktake=stocktake,
                                  counts=_count(stocktake, 消毒柜=(Decimal("-2"), "x")))
    assert _snapshot() == before
    stocktake.refresh_from_db()
    assert stocktake.status == StocktakeStatus.OPEN
    assert not stocktake.lines.filter(counted_quantity__isnull=False).exists()


def test_a_stocktake_is_refused_when_the_register_changed_meanwhile(world, aw, actor):
    storekeeper = actor(Role.STOREKEEPER)
    stocktake = aw.kitchen_stocktake
    services.stocktake_record(actor=storekeeper, stocktake=stocktake,
                              counts=_count(stocktake, 消毒柜=(Decimal("1"), "一台送修")))
    services.asset_update(actor=storekeeper, asset=aw.kitchen_asset, quantity=Decimal("3"))
    with pytest.raises(Conflict) as exc:
        services.stocktake_post(actor=storekeeper, stocktake=stocktake)
    assert aw.kitchen_asset.label_code in exc.value.message
    aw.kitchen_asset.refresh_from_db()
    assert aw.kitchen_asset.quantity == Decimal("3")


def test_stocktakes_need_the_capability_and_a_place_with_assets(world, aw, actor):
    with pytest.raises(Forbidden):
        services.stocktake_open(actor=actor(Role.CLASS_TEACHER), room=aw.own_room, counted_on=dt.date(2026, 11, 2))
    empty = Room.objects.create(kindergarten=world.k1.kg, campus=world.k1.campuses[0], name="空房间")
    before = _snapshot()
    with pytest.raises(DomainError):
        services.stocktake_open(actor=actor(Role.STOREKEEPER), room=empty, counted_on=dt.date(2026, 11, 2))
    with pytest.raises(DomainError):
        services.stocktake_open(actor=actor(Role.STOREKEEPER), counted_on=dt.date(2026, 11, 2))
    with pytest.raises(Http404):
        services.stocktake_open(actor=actor(Role.STOREKEEPER), room=aw.k2_room, counted_on=dt.date(2026, 11, 2))
    assert _snapshot() == before
    with pytest.raises(Conflict):  # the kitchen is being counted: not the whole campus at the same time
        services.stocktake_open(actor=actor(Role.STOREKEEPER), campus=world.k1.campuses[0],
                                counted_on=dt.date(2026, 11, 2))
    services.stocktake_void(actor=actor(Role.STOREKEEPER), stocktake=aw.kitchen_stocktake, reason="重新盘点")
    whole = services.stocktake_open(actor=actor(Role.STOREKEEPER), campus=world.k1.campuses[0],
                                    counted_on=dt.date(2026, 11, 2))
    assert whole.lines.count() == 4  # chairs, tables, piano, disinfection cabinet


def test_decimal_parsing_never_uses_floats():
    errors = []
    assert services.decimal_or_error(0.1, "q", errors) == Decimal("0.10")
    assert services.decimal_or_error("1,200.5", "q", errors) == Decimal("1200.50")
    assert errors == []
    for bad in ("NaN", "Infinity", "1e400", "abc"):
        errors = []
        services.decimal_or_error(bad, "q", errors)
        assert errors, bad
