"""JSON API of fixed assets: the same selectors and services as the pages, the same policy."""

from uuid import UUID

from django.http import Http404, HttpResponse
from django.urls import reverse
from ninja import File, Router, Status
from ninja.files import UploadedFile

from houqin import policy
from houqin.assets import labels, register, selectors, services
from houqin.assets.schemas import (
    AssetDetailOut,
    AssetIn,
    AssetOut,
    AssetPatch,
    HandoverCloseIn,
    HandoverCountIn,
    HandoverDetailOut,
    HandoverOpenIn,
    HandoverOut,
    AssetImportOut,
    AssetReasonIn,
    RoomIn,
    RoomOut,
    StateIn,
    StocktakeCountIn,
    AssetStocktakeDetailOut,
    AssetStocktakeIn,
    AssetStocktakeOut,
)
from houqin.core.web import xlsx_response

router = Router(tags=["assets"])


# --- shapes ----------------------------------------------------------------------------------


def _asset_out(a) -> dict:
    return {
        "code": a.code, "label_code": a.label_code, "name": a.name, "category": a.category, "campus": a.campus.name,
        "room_code": a.room.code if a.room else None, "room": a.room.name if a.room else None,
        "class_code": a.school_class.code if a.school_class else None,
        "class_name": a.school_class.name if a.school_class else None,
        "quantity": a.quantity, "unit": a.unit, "unit_price": a.unit_price, "value": a.value,
        "purchase_date": a.purchase_date, "state": a.state,
    }


def _asset_detail(request, a) -> dict:
    kg = request.actor.kindergarten.slug
    photo = reverse("assets:asset_photo", kwargs={"kg": kg, "code": a.code}) if a.photo else None
    return {
        **_asset_out(a), "supplier_name": a.supplier_name,
        "custodian": a.custodian.display_name if a.custodian else None, "notes": a.notes, "photo_url": photo,
        "scan_url": request.build_absolute_uri(labels.scan_path(request.actor.kindergarten, a.label_code)),
        "state_reason": a.state_reason, "voided": a.is_voided,
    }


def _room_out(r) -> dict:
    return {"code": r.code, "name": r.name, "campus": r.campus.name,
            "class_code": r.school_class.code if r.school_class else None,
            "class_name": r.school_class.name if r.school_class else None, "is_active": r.is_active}


def _user(actor, username):
    """A member of staff of the actor's kindergarten by login name (404 otherwise)."""
    if not username:
        return None
    user = services.staff_users(actor.kindergarten).filter(username=username).first()
    if user is None:
        raise Http404
    return user


def _place_args(actor, data: dict, capability: str) -> dict:
    out = {}
    if "room_code" in data:
        code = data.pop("room_code")
        out["room"] = selectors.get_room(actor=actor, code=code, capability=capability) if code else None
    if "class_code" in data:
        code = data.pop("class_code")
        out["school_class"] = (selectors.class_choices(actor=actor, capability=capability).filter(code=code).first()
                               if code else None)
        if code and out["school_class"] is None:
            raise Http404
    if "custodian_username" in data:
        out["custodian"] = _user(actor, data.pop("custodian_username"))
    return out


# --- rooms -----------------------------------------------------------------------------------


@router.get("/k/{kg}/asset-rooms", response=list[RoomOut])
@policy.requires("assets.view")
def list_rooms(request, kg: str):
    return [_room_out(r) for r in selectors.room_list(actor=request.actor)]


@router.post("/k/{kg}/asset-rooms", response={201: RoomOut})
@policy.requires("assets.change")
def create_room(request, kg: str, payload: RoomIn):
    actor = request.actor
    campus = selectors.campus_choices(actor=actor, capability="assets.change").filter(code=payload.campus_code).first()
    if campus is None:
        raise Http404
    data = payload.dict()
    school_class = _place_args(actor, {"class_code": data["class_code"]}, "assets.change")["school_class"]
    room = services.room_create(actor=actor, campus=campus, name=data["name"], school_class=school_class)
    return Status(201, _room_out(room))


# --- the register ----------------------------------------------------------------------------


@router.get("/k/{kg}/assets", response=list[AssetOut])
@policy.requires("assets.view")
def list_assets(request, kg: str, room_code: UUID | None = None, class_code: UUID | None = None,
                category: str = "", state: str = selectors.STATE_CURRENT, q: str = ""):
    actor = request.actor
    room = selectors.get_room(actor=actor, code=room_code) if room_code else None
    school_class = None
    if class_code:
        school_class = selectors.class_choices(actor=actor).filter(code=class_code).first()
        if school_class is None:
            raise Http404
    assets = selectors.asset_list(actor=actor, room=room, school_class=school_class, category=category, state=state,
                                  search=q)
    return [_asset_out(a) for a in assets]


@router.get("/k/{kg}/assets/{code}", response=AssetDetailOut)
@policy.requires("assets.view")
def get_asset(request, kg: str, code: UUID):
    return _asset_detail(request, selectors.get_asset(actor=request.actor, code=code))


@router.post("/k/{kg}/assets", response={201: AssetDetailOut})
@policy.requires("assets.change")
def create_asset(request, kg: str, payload: AssetIn):
    actor = request.actor
    data = payload.dict()
    place = _place_args(actor, data, "assets.change")
    asset = services.asset_create(actor=actor, **place, **data)
    return Status(201, _asset_detail(request, selectors.get_asset(actor=actor, code=asset.code)))


@router.patch("/k/{kg}/assets/{code}", response=AssetDetailOut)
@policy.requires("assets.change")
def update_asset(request, kg: str, code: UUID, payload: AssetPatch):
    actor = request.actor
    asset = selectors.get_asset(actor=actor, code=code, capability="assets.change")
    data = payload.dict(exclude_unset=True)
    place = _place_args(actor, data, "assets.change")
    services.asset_update(actor=actor, asset=asset, **place, **data)
    return _asset_detail(request, selectors.get_asset(actor=actor, code=code))


@router.post("/k/{kg}/assets/{code}/photo", response=AssetDetailOut)
@policy.requires("assets.change")
def upload_photo(request, kg: str, code: UUID, file: File[UploadedFile]):
    actor = request.actor
    asset = selectors.get_asset(actor=actor, code=code, capability="assets.change")
    services.asset_update(actor=actor, asset=asset, photo=file)
    return _asset_detail(request, selectors.get_asset(actor=actor, code=code))


@router.post("/k/{kg}/assets/{code}/state", response=AssetDetailOut)
@policy.requires("assets.view")
def set_state(request, kg: str, code: UUID, payload: StateIn):
    """Under repair / back in use (assets.change) or scrapped (assets.scrap, with a reason)."""
    actor = request.actor
    asset = selectors.get_asset(actor=actor, code=code)
    services.asset_set_state(actor=actor, asset=asset, state=payload.state, reason=payload.reason)
    return _asset_detail(request, selectors.get_asset(actor=actor, code=code))


@router.post("/k/{kg}/assets/{code}/void", response=AssetDetailOut)
@policy.requires("assets.scrap")
def void_asset(request, kg: str, code: UUID, payload: AssetReasonIn):
    actor = request.actor
    asset = selectors.get_asset(actor=actor, code=code, capability="assets.scrap")
    services.asset_void(actor=actor, asset=asset, reason=payload.reason)
    return _asset_detail(request, selectors.get_asset(actor=actor, code=code))


@router.post("/k/{kg}/asset-register/import", response={200: AssetImportOut})
@policy.requires("assets.import")
def import_register(request, kg: str, file: File[UploadedFile]):
    return register.import_register(actor=request.actor, upload=file).as_dict()


@router.get("/k/{kg}/asset-register/export.xlsx", response={200: None})
@policy.requires("assets.export")
def export_register(request, kg: str) -> HttpResponse:
    return xlsx_response(register.export_register(actor=request.actor), "assets.xlsx")


# --- class handovers -------------------------------------------------------------------------


def _handover_out(h) -> dict:
    return {
        "code": h.code, "class_code": h.school_class.code, "class_name": h.school_class.name,
        "school_year": h.school_year, "term": h.term, "kind": h.kind, "status": h.status, "due_on": h.due_on,
        "line_count": getattr(h, "line_count", 0), "counted_count": getattr(h, "counted_count", 0),
        "signed_by": h.signed_by.display_name if h.signed_by else None, "signed_at": h.signed_at,
    }


def _handover_detail(h) -> dict:
    lines = list(selectors.handover_lines(h))
    return {
        **_handover_out(h), "line_count": len(lines),
        "counted_count": sum(1 for l in lines if l.counted_quantity is not None),
        "closed_by": h.closed_by.display_name if h.closed_by else None, "closed_at": h.closed_at,
        "returned_reason": h.returned_reason, "voided": h.is_voided,
        "lines": [{
            "code": l.code, "asset_code": l.asset.code, "label_code": l.asset.label_code, "name": l.asset.name,
            "unit": l.asset.unit, "expected_quantity": l.expected_quantity, "counted_quantity": l.counted_quantity,
            "damaged_quantity": l.damaged_quantity, "explanation": l.explanation, "negligence": l.negligence,
            "responsible": l.responsible.display_name if l.responsible else None, "amount_charged": l.amount_charged,
        } for l in lines],
    }


def _reload_handover(actor, code):
    return _handover_detail(selectors.get_handover(actor=actor, code=code))


@router.get("/k/{kg}/asset-handovers", response=list[HandoverOut])
@policy.requires("assets.view")
def list_handovers(request, kg: str, status: str = ""):
    return [_handover_out(h) for h in selectors.handover_list(actor=request.actor, status=status)]


@router.get("/k/{kg}/asset-handovers/{code}", response=HandoverDetailOut)
@policy.requires("assets.view")
def get_handover(request, kg: str, code: UUID):
    return _reload_handover(request.actor, code)


@router.post("/k/{kg}/asset-handovers", response={201: HandoverDetailOut})
@policy.requires("assets.handover.close")
def open_handover(request, kg: str, payload: HandoverOpenIn):
    actor = request.actor
    data = payload.dict()
    school_class = selectors.class_choices(actor=actor, capability="assets.handover.close").filter(
        code=data.pop("class_code")).first()
    if school_class is None:
        raise Http404
    handover = services.handover_open(actor=actor, school_class=school_class, **data)
    return Status(201, _reload_handover(actor, handover.code))


@router.post("/k/{kg}/asset-handovers/{code}/count", response=HandoverDetailOut)
@policy.requires("assets.view")
def count_handover(request, kg: str, code: UUID, payload: HandoverCountIn):
    """Found, damaged, why (class teacher or logistics office, while open); `sign` signs as well."""
    actor = request.actor
    handover = selectors.get_handover(actor=actor, code=code)
    counts = [line.dict(exclude_unset=True) for line in payload.lines]
    services.handover_confirm(actor=actor, handover=handover, counts=counts, sign=payload.sign)
    return _reload_handover(actor, code)


@router.post("/k/{kg}/asset-handovers/{code}/sign", response=HandoverDetailOut)
@policy.requires("assets.handover.sign")
def sign_handover(request, kg: str, code: UUID):
    actor = request.actor
    services.handover_sign(actor=actor, handover=selectors.get_handover(actor=actor, code=code))
    return _reload_handover(actor, code)


@router.post("/k/{kg}/asset-handovers/{code}/close", response=HandoverDetailOut)
@policy.requires("assets.handover.close")
def close_handover(request, kg: str, code: UUID, payload: HandoverCloseIn):
    actor = request.actor
    handover = selectors.get_handover(actor=actor, code=code, capability="assets.handover.close")
    charges = [{"line_code": c.line_code, "negligence": c.negligence, "responsible": _user(actor, c.responsible_username),
                "amount_charged": c.amount_charged} for c in payload.charges]
    services.handover_close(actor=actor, handover=handover, assessments=charges)
    return _reload_handover(actor, code)


@router.post("/k/{kg}/asset-handovers/{code}/return", response=HandoverDetailOut)
@policy.requires("assets.handover.close")
def return_handover(request, kg: str, code: UUID, payload: AssetReasonIn):
    actor = request.actor
    handover = selectors.get_handover(actor=actor, code=code, capability="assets.handover.close")
    services.handover_return(actor=actor, handover=handover, reason=payload.reason)
    return _reload_handover(actor, code)


# --- asset stocktakes ------------------------------------------------------------------------


def _stocktake_out(s) -> dict:
    return {"code": s.code, "campus": s.campus.name, "room_code": s.room.code if s.room else None,
            "room": s.room.name if s.room else None, "counted_on": s.counted_on, "status": s.status,
            "line_count": getattr(s, "line_count", 0), "counted_count": getattr(s, "counted_count", 0),
            "posted_at": s.posted_at}


def _stocktake_detail(s) -> dict:
    lines = list(selectors.stocktake_lines(s))
    return {**_stocktake_out(s), "line_count": len(lines),
            "counted_count": sum(1 for l in lines if l.counted_quantity is not None), "voided": s.is_voided,
            "lines": [{"code": l.code, "asset_code": l.asset.code, "label_code": l.asset.label_code,
                       "name": l.asset.name, "expected_quantity": l.expected_quantity,
                       "counted_quantity": l.counted_quantity, "explanation": l.explanation} for l in lines]}


@router.get("/k/{kg}/asset-stocktakes", response=list[AssetStocktakeOut])
@policy.requires("assets.view")
def list_stocktakes(request, kg: str, status: str = ""):
    return [_stocktake_out(s) for s in selectors.stocktake_list(actor=request.actor, status=status)]


@router.get("/k/{kg}/asset-stocktakes/{code}", response=AssetStocktakeDetailOut)
@policy.requires("assets.view")
def get_stocktake(request, kg: str, code: UUID):
    return _stocktake_detail(selectors.get_stocktake(actor=request.actor, code=code))


@router.post("/k/{kg}/asset-stocktakes", response={201: AssetStocktakeDetailOut})
@policy.requires("assets.stocktake")
def open_stocktake(request, kg: str, payload: AssetStocktakeIn):
    actor = request.actor
    room = selectors.get_room(actor=actor, code=payload.room_code, capability="assets.stocktake") \
        if payload.room_code else None
    campus = None
    if payload.campus_code:
        campus = selectors.campus_choices(actor=actor, capability="assets.stocktake").filter(
            code=payload.campus_code).first()
        if campus is None:
            raise Http404
    stocktake = services.stocktake_open(actor=actor, counted_on=payload.counted_on, room=room, campus=campus,
                                        notes=payload.notes)
    return Status(201, _stocktake_detail(selectors.get_stocktake(actor=actor, code=stocktake.code)))


@router.post("/k/{kg}/asset-stocktakes/{code}/count", response=AssetStocktakeDetailOut)
@policy.requires("assets.stocktake")
def count_stocktake(request, kg: str, code: UUID, payload: StocktakeCountIn):
    actor = request.actor
    stocktake = selectors.get_stocktake(actor=actor, code=code, capability="assets.stocktake")
    counts = [line.dict(exclude_unset=True) for line in payload.lines]
    services.stocktake_count_and_post(actor=actor, stocktake=stocktake, counts=counts, post=payload.post)
    return _stocktake_detail(selectors.get_stocktake(actor=actor, code=code))

