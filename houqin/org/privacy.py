"""Guardians' rights under PIPL (个人信息保护法 art. 45, 47; 儿童个人信息网络保护规定): the export of
everything held about a child, and the deletion the principal carries out on a guardian's written request.

Which tables hold a child is read from the models, not listed by hand: `child_tables()` walks every model
with a foreign key to org.Child, directly or through a parent row (an observation's entries, a medicine's
doses). `PLAN` says, for each of them, what a deletion does with its rows: ERASE, or keep them under a
retention category of data/retention.json (health, vaccination, injury, accounting), each with its source.
A test fails when a model holding a child is not in PLAN, so a new table cannot slip past the export or
the deletion.

A deletion takes every row of the child out of its table. Rows the law keeps are copied first, with their
history, into org.RestrictedRecord (stored, shown nowhere: no page, list, API or export reads that table)
until their retention end date; `purge_restricted` (the `purge_restricted` command, run daily by the
scheduler) deletes them after it. The history rows of every table (django-simple-history) hold the child
too: they are exported with their rows, copied with a kept row, and deleted with every row. The audit log
(core.AuditEvent) keeps its events: they name records by code only, and they are the proof of processing.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin import policy
from houqin.core import files
from houqin.core.audit import audit_event
from houqin.core.errors import NotFound, raise_for
from houqin.core.rules import Figure, shipped_figure

ERASE = "erase"
DATA = Path(__file__).parent / "data" / "retention.json"

# What a deletion does with each table holding the child: ERASE, or the retention category that keeps it.
PLAN: dict[str, str] = {
    "org.Child": "child",  # kept (restricted) as long as the longest kept record of the child, else erased
    "org.Guardian": ERASE,
    "org.PickupPerson": ERASE,
    "health.Attendance": "health",
    "health.CheckFinding": "health",
    "health.HealthObservation": "health",
    "health.ObservationEntry": "health",
    "health.DiseaseCase": "health",
    "health.ClassClosure_children": "health",
    "health.Exam": "health",
    "health.Correction": "health",
    "health.CorrectionCheck": "health",
    "health.WeakChildCase": "health",
    "health.WeakChildFollowUp": "health",
    "health.MedicationRequest": "health",
    "health.MedicationGiven": "health",
    "health.DietRecord": "health",
    "health.VaccinationCheck": "vaccination",
    "health.VaccinationDose": "vaccination",
    "health.CatchUp": "vaccination",
    "safety.Injury": "injury",
    "safety.Incident": "injury",
    "safety.CustodyRestriction": ERASE,
    "safety.Delegation": ERASE,
    "safety.Release": ERASE,
    "notices.Notice_children": ERASE,
    "finance.FeeBill": "accounting",
    "finance.FeePayment": "accounting",
}

CATEGORY_LABELS = {
    "health": gettext_lazy("Health-care records"),
    "vaccination": gettext_lazy("Vaccination records"),
    "injury": gettext_lazy("Injury and incident records"),
    "accounting": gettext_lazy("Accounting records"),
    "child": gettext_lazy("The child's enrolment record"),
    ERASE: gettext_lazy("Erased"),
}
FROM_LABELS = {"leaving": gettext_lazy("after leaving"), "adulthood": gettext_lazy("after the 18th birthday")}


# --- the tables holding a child ------------------------------------------------------------------

def _is_history(model) -> bool:
    return hasattr(model, "instance_type")


def child_tables(candidates=None) -> dict:
    """{model: lookup from it to the child ("child", "observation__child", "pk" for the child)} for every
    model with a foreign key to org.Child, directly or through a parent row (history tables aside: they
    follow their table)."""
    child_model = apps.get_model("org", "Child")
    candidates = [m for m in (candidates or apps.get_models(include_auto_created=True)) if not _is_history(m)]
    found = {child_model: "pk"}
    changed = True
    while changed:
        changed = False
        for model in candidates:
            if model in found:
                continue
            for field in model._meta.concrete_fields:
                target = field.related_model if field.is_relation else None
                if target in found and (field.many_to_one or field.one_to_one):
                    path = found[target]
                    found[model] = field.name if path == "pk" else f"{field.name}__{path}"
                    changed = True
                    break
    return found


def uncovered(candidates=None) -> list[str]:
    """Tables holding a child that PLAN does not cover (a new model must say what happens to its rows)."""
    return sorted(m._meta.label for m in child_tables(candidates) if m._meta.label not in PLAN)


def _deletion_order(tables: list) -> list:
    """Referencing tables before the tables they reference (a row is deleted before the row it points at)."""
    remaining = list(tables)
    ordered = []
    while remaining:
        for model in remaining:
            others = [m for m in remaining if m is not model]
            referenced_by_others = any(
                f.is_relation and f.related_model is model for m in others for f in m._meta.concrete_fields)
            if not referenced_by_others:
                ordered.append(model)
                remaining.remove(model)
                break
        else:  # a cycle: keep the walk's order for what is left
            ordered.extend(remaining)
            break
    return ordered


# --- retention periods (data/retention.json) -----------------------------------------------------

@dataclass(frozen=True)
class Retention:
    key: str
    figure: Figure
    counted_from: str  # leaving | adulthood

    def until(self, child, today: dt.date) -> dt.date:
        years = int(self.figure.value)
        if self.counted_from == "adulthood":
            start = _add_years(child.birth_date, 18)
        else:
            start = min(child.left_on, today) if child.left_on else today
        return _add_years(start, years)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@cache
def _retention_data() -> dict:
    return {k: v for k, v in json.loads(DATA.read_text(encoding="utf-8")).items() if not k.startswith("_")}


def retention_periods() -> dict[str, Retention]:
    """The retention categories as shipped, each with its figure (value, source, UNCONFIRMED status)."""
    return {
        key: Retention(key=key, counted_from=row["from"], figure=shipped_figure(
            key=key, label=str(CATEGORY_LABELS[key]), value=row["value"], unit=row["unit"],
            source=row["title"], note=row["source"], status=row["status"], places=0))
        for key, row in _retention_data().items()
    }


# --- reading the child's rows --------------------------------------------------------------------

def _rows_of(child) -> dict:
    """{model: [rows]} of every table holding the child, voided rows included (all that is held)."""
    found = {}
    for model, path in child_tables().items():
        rows = list(model._base_manager.filter(**{path: child.pk}).order_by("pk"))
        if rows:
            found[model] = rows
    return found


def _history_of(model, pks) -> list:
    manager = getattr(model, "history", None)
    if manager is None or not pks:
        return []
    history_model = manager.model
    return list(history_model._base_manager.filter(id__in=pks).order_by("history_date", "history_id"))


def _labels(rows) -> dict:
    """{(related model, pk): words} for the foreign keys of `rows`, one query per related table."""
    wanted: dict = {}
    for row in rows:
        for field in row._meta.concrete_fields:
            if field.is_relation and field.related_model is not None:
                value = getattr(row, field.attname)
                if value is not None:
                    wanted.setdefault(field.related_model, set()).add(value)
    labels = {}
    for model, pks in wanted.items():
        for pk, obj in model._base_manager.in_bulk(list(pks)).items():
            labels[(model, pk)] = str(obj)
    return labels


def _masked(value: str) -> str:
    return f"{value[:3]}***********{value[-4:]}" if len(value) > 7 else "***"


def _serialize(row, labels: dict, *, child_model) -> dict:
    out = {}
    for field in row._meta.concrete_fields:
        if field.primary_key and field.name == "id":
            continue
        value = getattr(row, field.attname)
        if field.is_relation and field.related_model is not None:
            value = labels.get((field.related_model, value), None if value is None else str(value))
        elif isinstance(field, models.FileField):
            value = str(value) if value else ""
        elif field.name == "id_number" and value and row._meta.concrete_model is not child_model:
            value = _masked(value)  # another person's identity number (a barred person): masked
        out[field.name] = value
    return json.loads(json.dumps(out, cls=DjangoJSONEncoder))


def _files_of(row) -> list:
    return [getattr(row, f.attname) for f in row._meta.concrete_fields
            if isinstance(f, models.FileField) and getattr(row, f.attname)]


# --- export --------------------------------------------------------------------------------------

def children_for_export(*, actor):
    """The children the actor may export: their own (guardians only)."""
    from houqin.org.models import Child

    return policy.scoped(actor, "org.privacy.export", Child.objects.active()).select_related("school_class") \
        .order_by("name_pinyin")


def export_child(*, actor, child) -> bytes:
    """A zip of everything held about the child: one JSON file a table (the rows, voided ones included, and
    their change history), the files the rows hold (photos, scans) and a PDF summary. Guardians only."""
    from houqin.core.pdf import render_pdf
    from houqin.org.models import Child

    policy.require(actor, "org.privacy.export", child)
    held = _rows_of(child)
    buffer = io.BytesIO()
    tables = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for model, rows in sorted(held.items(), key=lambda item: item[0]._meta.label):
            history = _history_of(model, [r.pk for r in rows])
            labels = _labels([*rows, *history])
            name = f"data/{model._meta.label}.json"
            payload = {
                "table": str(model._meta.verbose_name_plural),
                "rows": [_serialize(r, labels, child_model=Child) for r in rows],
                "history": [_serialize(h, labels, child_model=Child) for h in history],
            }
            archive.writestr(name, json.dumps(payload, ensure_ascii=False, indent=1))
            for row in rows:
                for stored in _files_of(row):
                    try:
                        with stored.open("rb") as handle:
                            archive.writestr(f"files/{stored.name}", handle.read())
                    except (FileNotFoundError, OSError):
                        pass
            tables.append({"label": model._meta.label, "name": str(model._meta.verbose_name_plural),
                           "rows": len(rows), "history": len(history), "file": name})
        index = {"child": str(child.code), "name": child.name, "made_at": timezone.now().isoformat(),
                 "kindergarten": str(actor.kindergarten), "tables": tables}
        archive.writestr("index.json", json.dumps(index, ensure_ascii=False, indent=1))
        archive.writestr("summary.pdf", render_pdf("org/privacy_export_pdf.html", {
            "child": child, "tables": tables, "kindergarten": actor.kindergarten, "made_at": timezone.now()}))
    return buffer.getvalue()  # the export is audited by policy.require (org.privacy.export is sensitive)


# --- deletion ------------------------------------------------------------------------------------

def deletion_plan(child, *, today: dt.date | None = None) -> list[dict]:
    """What a deletion would do, table by table: rows, category, kept until (None: erased)."""
    today = today or timezone.localdate()
    periods = retention_periods()
    held = _rows_of(child)
    child_until = _child_until(held, periods, child, today)
    plan = []
    for model, rows in sorted(held.items(), key=lambda item: item[0]._meta.label):
        category = PLAN[model._meta.label]
        until = child_until if category == "child" else (
            periods[category].until(child, today) if category != ERASE else None)
        plan.append({"label": model._meta.label, "name": str(model._meta.verbose_name_plural), "rows": len(rows),
                     "category": category, "category_label": str(CATEGORY_LABELS[category]), "until": until})
    return plan


def _child_until(held, periods, child, today):
    kept = {PLAN[m._meta.label] for m in held} - {ERASE, "child"}
    return max((periods[c].until(child, today) for c in kept), default=None)


@transaction.atomic
def erasure_carry_out(*, actor, child, letter, received_on: dt.date | None, note: str = ""):
    """The principal carries out a guardian's written request to delete the child's information: the rows
    the law keeps go to RestrictedRecord until their retention end date, every row of the child leaves its
    table (with its history), the guardians' logins lose their parent role here when no other child is
    left to them. Without the written request attached nothing changes."""
    from houqin.org.models import Child, ErasureRequest, Guardian, Membership, RestrictedRecord, Role

    policy.require(actor, "org.privacy.erase", child)
    today = timezone.localdate()
    errors = {}
    if not letter:
        errors["letter"] = _("Attach the guardian's written request (a scan or photo of the signed letter): "
                             "nothing is deleted without it.")
    if not received_on:
        errors["received_on"] = _("Enter the date the written request was received.")
    elif received_on > today:
        errors["received_on"] = _("The date the request was received is in the future.")
    raise_for(errors)
    scan = files.read_upload(letter, field="letter", accept=files.DOCUMENTS)
    child = Child.objects.select_for_update().filter(pk=child.pk).first()  # a second request waits here
    if child is None:  # ... and finds the child already deleted
        raise NotFound(_("This child's information has already been deleted."))
    periods = retention_periods()
    held = _rows_of(child)
    child_until = _child_until(held, periods, child, today)
    guardian_users = {g.user_id for g in held.get(Guardian, []) if g.user_id}
    request = ErasureRequest(
        kindergarten=actor.kindergarten, child_code=child.code, child_label=_masked_name(child.name),
        class_name=child.school_class.name, received_on=received_on, note=(note or "").strip()[:200],
        carried_out_by=actor.user, carried_out_at=timezone.now(), created_by=actor.user)
    request.letter.save(scan.name, scan.as_content_file(), save=False)

    kept, erased, summary, doomed_files = [], 0, {}, []
    for model, rows in held.items():
        category = PLAN[model._meta.label]
        until = child_until if category == "child" else (
            periods[category].until(child, today) if category != ERASE else None)
        history = _history_of(model, [r.pk for r in rows]) if until else []
        labels = _labels([*rows, *history]) if until else {}
        for row in rows:
            if until is None:
                erased += 1
                doomed_files.extend(f.name for f in _files_of(row))
                continue
            own_history = [h for h in history if h.id == row.pk]
            kept.append(RestrictedRecord(
                kindergarten=actor.kindergarten, request_code=request.code, child_code=child.code,
                table=model._meta.label, row_code=str(getattr(row, "code", row.pk)), category=category,
                retained_until=until, created_by=actor.user,
                data={"row": _serialize(row, labels, child_model=Child),
                      "history": [_serialize(h, labels, child_model=Child) for h in own_history]},
                files=[f.name for f in _files_of(row)]))
        entry = summary.setdefault(category, {"rows": 0, "until": until.isoformat() if until else None})
        entry["rows"] += len(rows)
    RestrictedRecord.objects.bulk_create(kept)

    for model in _deletion_order(list(held)):
        pks = [r.pk for r in held[model]]
        models.QuerySet.delete(model._base_manager.filter(pk__in=pks))  # past VoidableQuerySet: this is the law
    for model in held:  # after the rows: a deleted row's history gets its "deleted" entry first
        manager = getattr(model, "history", None)
        if manager is not None:
            manager.model._base_manager.filter(id__in=[r.pk for r in held[model]]).delete()

    for user_id in guardian_users:
        if not Guardian.objects.filter(user_id=user_id, kindergarten=actor.kindergarten,
                                       voided_at__isnull=True).exists():
            Membership.objects.filter(user_id=user_id, kindergarten=actor.kindergarten, role=Role.PARENT) \
                .update(is_active=False)

    request.erased_count, request.restricted_count, request.summary = erased, len(kept), summary
    request.save()
    transaction.on_commit(lambda: _delete_files(doomed_files))
    audit_event(action="org.privacy.erased", actor=actor.user, kindergarten=actor.kindergarten, obj=request,
                request=actor.request, detail={"erased": erased, "restricted": len(kept), "child": str(child.code)})
    return request


def _masked_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1)


def _delete_files(names) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            pass


def erasure_list(*, actor):
    from houqin.org.models import ErasureRequest

    policy.require(actor, "org.privacy.erase")
    return ErasureRequest.objects.filter(kindergarten=actor.kindergarten).select_related("carried_out_by")


# --- the purge (run daily by the scheduler) ------------------------------------------------------

def purge_restricted(*, today: dt.date | None = None) -> int:
    """Delete the restricted records whose retention period has ended (kept until a day before `today`),
    with their files; one audit event a kindergarten. Idempotent: a second run the same day finds nothing."""
    from houqin.org.models import Kindergarten, RestrictedRecord

    today = today or timezone.localdate()
    with transaction.atomic():
        due = list(RestrictedRecord.objects.select_for_update().filter(retained_until__lt=today).order_by("pk"))
        if not due:
            return 0
        by_kindergarten: dict[int, int] = {}
        names = []
        for record in due:
            by_kindergarten[record.kindergarten_id] = by_kindergarten.get(record.kindergarten_id, 0) + 1
            names.extend(record.files)
        RestrictedRecord.objects.filter(pk__in=[r.pk for r in due]).delete()
        for kindergarten in Kindergarten.objects.filter(pk__in=list(by_kindergarten)):
            audit_event(action="org.privacy.purge", kindergarten=kindergarten, actor_name="system",
                        detail={"rows": by_kindergarten[kindergarten.pk], "before": today.isoformat()})
        transaction.on_commit(lambda: _delete_files(names))
    return len(due)
