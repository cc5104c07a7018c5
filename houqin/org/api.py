"""JSON API of the organisation: the same selectors and services as the pages, the same policy."""

import datetime as dt
from uuid import UUID

from django.http import HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from houqin import policy
from houqin.core.audit import audit_event
from houqin.core.inputs import Paging
from houqin.core.selectors import destinations_for
from houqin.core.web import xlsx_response
from houqin.org import roster, selectors, services
from houqin.org.schemas import (
    ChildDetailOut,
    ChildIn,
    ChildOut,
    ChildPatch,
    ClassOut,
    DistrictRowOut,
    ErasureOut,
    GuardianIn,
    GuardianOut,
    OrgImportOut,
    LeaveIn,
    MeOut,
    StaffIn,
    OrgStaffOut,
    VoidIn,
)

router = Router(tags=["organisation"])


def _child_out(child) -> dict:
    return {
        "code": child.code, "name": child.name, "sex": child.sex, "birth_date": child.birth_date,
        "class_code": child.school_class.code, "class_name": child.school_class.name,
        "enrolled_on": child.enrolled_on, "left_on": child.left_on,
    }


def _guardian_out(g, *, sensitive: bool) -> dict:
    return {"code": g.code, "name": g.name, "relation": g.relation,
            "phone": selectors.shown_phone(g.phone, sensitive=sensitive), "can_pick_up": g.can_pick_up}


def _child_detail(request, child) -> dict:
    actor = request.actor
    sensitive = policy.can(actor, "org.child.view_sensitive", child)
    if sensitive:
        audit_event(action="org.child.view_sensitive", actor=actor.user, kindergarten=actor.kindergarten, obj=child,
                    request=request)
    guardians = [_guardian_out(g, sensitive=sensitive) for g in child.guardians.active()]
    return {**_child_out(child), "id_number": selectors.shown_id_number(child.id_number, sensitive=sensitive),
            "notes": child.notes, "voided": child.is_voided, "guardians": guardians}


@router.get("/me", response=MeOut)
@policy.requires(policy.AUTHENTICATED)
def me(request):
    return {"username": request.user.username, "full_name": request.user.full_name,
            "destinations": destinations_for(request.user)}


@router.get("/k/{kg}/classes", response=list[ClassOut])
@policy.requires("org.class.view")
def list_classes(request, kg: str):
    return [
        {"code": c.code, "name": c.name, "grade": c.grade, "school_year": c.school_year, "campus": c.campus.name,
         "child_count": c.child_count}
        for c in selectors.class_list(actor=request.actor)
    ]


@router.get("/k/{kg}/children", response=list[ChildOut])
@paginate(Paging, page_size=100)
@policy.requires("org.child.view")
def list_children(request, kg: str, class_code: UUID | None = None, q: str = ""):
    """Children in the caller's scope, 100 a page (`?page=2`, `?page_size=` up to 100)."""
    school_class = selectors.get_class(actor=request.actor, code=class_code, capability="org.child.view") if class_code else None
    return selectors.child_list(actor=request.actor, school_class=school_class, search=q)


@router.get("/k/{kg}/children/{code}", response=ChildDetailOut)
@policy.requires("org.child.view")
def get_child(request, kg: str, code: UUID):
    return _child_detail(request, selectors.get_child(actor=request.actor, code=code))


@router.post("/k/{kg}/children", response={201: ChildDetailOut})
@policy.requires("org.child.create")
def create_child(request, kg: str, payload: ChildIn):
    actor = request.actor
    data = payload.dict()
    school_class = selectors.get_class(actor=actor, code=data.pop("class_code"), capability="org.child.create")
    child = services.child_create(actor=actor, school_class=school_class, **data)
    return Status(201, _child_detail(request, child))


@router.patch("/k/{kg}/children/{code}", response=ChildDetailOut)
@policy.requires("org.child.change")
def update_child(request, kg: str, code: UUID, payload: ChildPatch):
    actor = request.actor
    child = selectors.get_child(actor=actor, code=code, capability="org.child.change")
    changes = payload.dict(exclude_unset=True)
    if "class_code" in changes:
        changes["school_class"] = selectors.get_class(actor=actor, code=changes.pop("class_code"), capability="org.child.change")
    child = services.child_update(actor=actor, child=child, **changes)
    return _child_detail(request, child)


@router.post("/k/{kg}/children/{code}/leave", response=ChildDetailOut)
@policy.requires("org.child.change")
def leave_child(request, kg: str, code: UUID, payload: LeaveIn):
    child = selectors.get_child(actor=request.actor, code=code, capability="org.child.change")
    return _child_detail(request, services.child_leave(actor=request.actor, child=child, **payload.dict()))


@router.post("/k/{kg}/children/{code}/void", response=ChildDetailOut)
@policy.requires("org.child.void")
def void_child(request, kg: str, code: UUID, payload: VoidIn):
    child = selectors.get_child(actor=request.actor, code=code, capability="org.child.void")
    return _child_detail(request, services.child_void(actor=request.actor, child=child, reason=payload.reason))


@router.post("/k/{kg}/children/{code}/guardians", response={201: GuardianOut})
@policy.requires("org.child.change")
def add_guardian(request, kg: str, code: UUID, payload: GuardianIn):
    child = selectors.get_child(actor=request.actor, code=code, capability="org.child.change")
    g = services.guardian_add(actor=request.actor, child=child, **payload.dict())
    return Status(201, _guardian_out(g, sensitive=policy.can(request.actor, "org.child.view_sensitive", child)))


def _staff_out(m) -> dict:
    return {"code": m.code, "username": m.user.username, "full_name": m.user.full_name, "role": m.role, "post": m.post,
            "campus": m.campus.name if m.campus else None, "classes": [c.name for c in m.classes.all()],
            "is_active": m.is_active}


@router.get("/k/{kg}/staff", response=list[OrgStaffOut])
@policy.requires("org.staff.view")
def list_staff(request, kg: str):
    return [_staff_out(m) for m in selectors.staff_list(actor=request.actor)]


@router.post("/k/{kg}/staff", response={201: OrgStaffOut})
@policy.requires("org.staff.change")
def add_staff(request, kg: str, payload: StaffIn):
    actor = request.actor
    data = payload.dict()
    classes = [selectors.get_class(actor=actor, code=c) for c in data.pop("class_codes")]
    membership = services.staff_add(actor=actor, classes=classes, **data)
    return Status(201, _staff_out(membership))


@router.post("/k/{kg}/roster/import", response={200: OrgImportOut})
@policy.requires("org.roster.import")
def import_roster(request, kg: str, kind: Form[str], file: File[UploadedFile]):
    return roster.import_roster(actor=request.actor, kind=kind, upload=file).as_dict()


@router.get("/k/{kg}/roster/children.xlsx", response={200: None})
@policy.requires("org.roster.export")
def export_children(request, kg: str) -> HttpResponse:
    return xlsx_response(roster.export_children(actor=request.actor), "children.xlsx")


@router.get("/k/{kg}/roster/staff.xlsx", response={200: None})
@policy.requires("org.roster.export")
def export_staff(request, kg: str) -> HttpResponse:
    return xlsx_response(roster.export_staff(actor=request.actor), "staff.xlsx")


# --- guardians' rights (PIPL): houqin.org.privacy ----------------------------------------------

@router.get("/k/{kg}/privacy/children/{code}/export.zip", response={200: None})
@policy.requires("org.privacy.export")
def export_child_data(request, kg: str, code: UUID) -> HttpResponse:
    """A guardian downloads everything held about their child: a zip of JSON, files and a PDF summary."""
    from houqin.org import privacy
    from houqin.org.models import Child

    actor = request.actor
    child = policy.get_or_404(actor, "org.privacy.export", Child.objects.active(), code=code)
    response = HttpResponse(privacy.export_child(actor=actor, child=child), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="child-{child.code}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/k/{kg}/privacy/erasures", response=list[ErasureOut])
@policy.requires("org.privacy.erase")
def list_erasures(request, kg: str):
    from houqin.org import privacy

    return list(privacy.erasure_list(actor=request.actor)[:200])


@router.post("/k/{kg}/privacy/erasures", response={201: ErasureOut})
@policy.requires("org.privacy.erase")
def carry_out_erasure(request, kg: str, child: Form[UUID], received_on: Form[dt.date | None] = None,
                      note: Form[str] = "", letter: File[UploadedFile] = None):
    """The principal carries out a guardian's written request (`letter`, required) to delete a child's
    information: kept records are restricted until their retention end date, the rest erased."""
    from houqin.org import privacy

    actor = request.actor
    child_obj = selectors.get_child(actor=actor, code=child, capability="org.privacy.erase")
    return Status(201, privacy.erasure_carry_out(actor=actor, child=child_obj, letter=letter,
                                                 received_on=received_on, note=note))


@router.get("/district/{district}/kindergartens", response=list[DistrictRowOut])
@policy.requires("district.view")
def district_kindergartens(request, district: str):
    return [
        {"kindergarten": r["kindergarten"].name, "slug": r["kindergarten"].slug, "children": r["children"],
         "classes": r["classes"], "staff": r["staff"]}
        for r in selectors.district_overview(actor=request.actor)
    ]
