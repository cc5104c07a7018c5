"""API input and output shapes of the organisation. No business rules here: the services hold them."""

import datetime as dt
from uuid import UUID

from ninja import Field, Schema

from houqin.core.inputs import Input, Patch


class ClassOut(Schema):
    code: UUID
    name: str
    grade: str
    school_year: int
    campus: str
    child_count: int


class ChildOut(Schema):
    code: UUID
    name: str
    sex: str
    birth_date: dt.date
    class_code: UUID = Field(alias="school_class.code")
    class_name: str = Field(alias="school_class.name")
    enrolled_on: dt.date
    left_on: dt.date | None


class GuardianOut(Schema):
    code: UUID
    name: str
    relation: str
    phone: str
    can_pick_up: bool


class ChildDetailOut(Schema):
    code: UUID
    name: str
    sex: str
    birth_date: dt.date
    class_code: UUID
    class_name: str
    enrolled_on: dt.date
    left_on: dt.date | None
    id_number: str
    notes: str
    voided: bool
    guardians: list[GuardianOut]


class ChildIn(Input):
    name: str
    sex: str
    birth_date: dt.date
    class_code: UUID
    enrolled_on: dt.date | None = None
    id_number: str = ""
    notes: str = ""


class ChildPatch(Patch):
    name: str | None = None
    sex: str | None = None
    birth_date: dt.date | None = None
    class_code: UUID | None = None
    enrolled_on: dt.date | None = None
    id_number: str | None = None
    notes: str | None = None


class LeaveIn(Input):
    left_on: dt.date
    reason: str = ""


class VoidIn(Input):
    reason: str


class GuardianIn(Input):
    name: str
    relation: str
    phone: str
    is_primary: bool = False
    can_pick_up: bool = True


class OrgStaffOut(Schema):
    code: UUID
    username: str
    full_name: str
    role: str
    post: str
    campus: str | None
    classes: list[str]
    is_active: bool


class StaffIn(Input):
    username: str
    full_name: str
    phone: str
    role: str
    password: str = ""
    post: str = ""
    class_codes: list[UUID] = []


class OrgImportOut(Schema):
    kind: str
    created: int
    updated: int


class DistrictRowOut(Schema):
    kindergarten: str
    slug: str
    children: int
    classes: int
    staff: int


class MeOut(Schema):
    username: str
    full_name: str
    destinations: list[dict]


class ErasureOut(Schema):
    code: UUID
    child_code: UUID
    child_label: str
    class_name: str
    received_on: dt.date
    carried_out_at: dt.datetime
    erased_count: int
    restricted_count: int
    summary: dict
