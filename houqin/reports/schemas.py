"""API shapes of the reports area."""

import datetime as dt
from uuid import UUID

from ninja import Schema

from houqin.core.inputs import Input


class TermOut(Schema):
    code: UUID
    name: str
    start: dt.date
    end: dt.date
    summary_code: UUID | None


class TermIn(Input):
    name: str
    start: dt.date
    end: dt.date


class SectionOut(Schema):
    key: str
    heading: str
    text: str
    rendered: str


class FigureOut(Schema):
    key: str
    label: str
    value: str | None
    unit: str
    display: str
    url: str
    detail: str
    section: str


class VersionOut(Schema):
    number: int
    origin: str
    note: str
    created_at: dt.datetime
    created_by: str | None


class SummaryOut(Schema):
    code: UUID
    title: str
    term: TermOut
    version: VersionOut
    sections: list[SectionOut]
    figures: list[FigureOut]


class SummaryIn(Input):
    based_on: int
    texts: dict[str, str]
    note: str = ""
    title: str | None = None


class CompareCell(Schema):
    key: str
    value: str | None  # the normalised value (per 100 children, %, or the count)
    display: str
    flag: bool  # outside its rule
    rule: str  # the rule broken, e.g. ≥95%
    why: str  # the rule broken, in words
    previous: str | None  # the same value in the previous term
    trend: str  # up, down, same or "" (no previous value)


class CompareRow(Schema):
    kindergarten: str
    slug: str
    flags: int
    problems: list[str]
    cells: list[CompareCell]


class CompareColumn(Schema):
    key: str
    label: str
    unit: str
    mode: str  # raw, per100, rate, ratio
    basis: str  # what the value counts: per 100 children, %, the unit


class CompareOut(Schema):
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    sort: str
    dir: str
    breaking: int  # kindergartens with at least one value outside its rule
    columns: list[CompareColumn]
    rows: list[CompareRow]


class SummaryDiffRowOut(Schema):
    op: str  # same, added, removed
    text: str


class SummaryDiffSectionOut(Schema):
    key: str
    heading: str
    changed: bool
    rows: list[SummaryDiffRowOut]


class SummaryDiffOut(Schema):
    old: int
    new: int
    changed: int
    sections: list[SummaryDiffSectionOut]
