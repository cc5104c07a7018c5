"""The kindergarten key on every tenant table (issue 15, "Past one machine"; docs/SCALE.md).

Sharding a province by kindergarten (Citus, distribution column `kindergarten_id`) needs three things
of the schema, and this module keeps them true or written down:

1. every table is classified: it has `kindergarten_id` (a tenant table), reaches a kindergarten
   through a named chain of non-null foreign keys (to become a tenant table it needs the column),
   holds rows of one kindergarten *and* rows of none (`kindergarten_id` nullable), is global
   reference data (users, districts, kindergartens, Django's own tables), or is a simple-history
   Historical* table (it follows the table it records). A new table that is none of these fails.
2. every unique constraint on a tenant table (unique=True fields, unique_together, UniqueConstraint)
   includes the kindergarten key, or is an exception listed here with the reason (Citus can only
   enforce a uniqueness that contains the distribution column).
3. the foreign keys between tenant tables: Citus wants them to include the distribution column
   (`FOREIGN KEY (kindergarten_id, x_id) REFERENCES x (kindergarten_id, id)`). Django's foreign keys
   are one column, so none does today; the list is computed here and must equal the one in
   docs/SCALE.md, so the document stays true when a model changes.

The table lists in docs/SCALE.md are printed by `render_blocks()`:
    .venv/bin/python -c "import django,os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; \
django.setup(); from houqin.core.tests.test_tenancy import render_blocks; print(render_blocks())"
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

from houqin.core.models import TenantModel

KG = "org.Kindergarten"
SCALE_MD = Path(settings.BASE_DIR) / "docs" / "SCALE.md"

# Global tables: shared by every kindergarten, no kindergarten key. On Citus they are reference tables
# (copied to every node) or stay on the coordinator; none may point at a tenant table.
GLOBAL = {
    "org.District": "reference data: the districts (教育局) kindergartens belong to",
    "org.Kindergarten": "the tenants themselves (the row every kindergarten_id points at)",
    "core.User": "a person may hold roles in several kindergartens and a district (org.Membership)",
    "core.User_groups": "Django auth: users' groups (unused by Houqin's roles)",
    "core.User_user_permissions": "Django auth: users' permissions (unused by Houqin's roles)",
    "auth.Group": "Django auth reference data",
    "auth.Group_permissions": "Django auth reference data",
    "auth.Permission": "Django auth reference data",
    "contenttypes.ContentType": "Django reference data",
    "admin.LogEntry": "Django admin's log of superuser repairs (admin is off unless HOUQIN_ADMIN)",
    "sessions.Session": "sign-in sessions of users, keyed by a random session key, not by kindergarten",
    "axes.AccessAttempt": "django-axes: failed sign-ins by user name and address, before any kindergarten",
    "axes.AccessAttemptExpiration": "django-axes: expiry of the attempts above",
    "axes.AccessFailureLog": "django-axes: failed sign-ins by user name and address",
    "axes.AccessLog": "django-axes: sign-ins by user name and address",
    "otp_totp.TOTPDevice": "django-otp: a person's phone for two-step sign-in, one per person whatever their roles",
    "otp_static.StaticDevice": "django-otp: a person's set of recovery codes (two-step sign-in)",
    "otp_static.StaticToken": "django-otp: the recovery codes of the set above",
}

# Tables that hold both: rows of one kindergarten and rows of none (kindergarten_id NULL). Citus refuses
# NULL in the distribution column, so each must be split (or its NULL rows moved) before distributing.
MIXED = {
    "canteen.Food": "the shipped food composition table (kindergarten NULL, 1,500+ rows, a reference table) and "
                    "each kindergarten's own foods in one table: split into a reference table and a tenant table",
    "org.Membership": "a role in one kindergarten, or a district supervisor's role (kindergarten NULL, district "
                      "set): district roles move to their own global table",
    "core.AuditEvent": "events of one kindergarten, and sign-ins/lockouts that happen before any kindergarten "
                       "(NULL): the NULL rows go to a global log (or the coordinator), the rest are distributed",
    "notices.JobRun": "the worker's runs of a kindergarten's jobs, and of the instance's own (the nightly backup, "
                      "NULL): the NULL rows go to a global table (or the coordinator), the rest are distributed",
}

# Tables without the key that reach exactly one kindergarten through non-null foreign keys: the chain
# below. On Citus each needs a kindergarten_id column (filled from the chain) to be distributed; the
# many-to-many tables are Django's automatic ones, so they need an explicit `through` model.
THROUGH = {
    "org.Membership_classes": "schoolclass.kindergarten",
    "health.ClassClosure_children": "classclosure.kindergarten",
    "safety.Drill_classes": "drill.kindergarten",
    "staff.Meeting_attendees": "meeting.kindergarten",
    "notices.Notice_classes": "notice.kindergarten",
    "notices.Notice_children": "notice.kindergarten",
    "notices.NoticeReceipt": "notice.kindergarten",
    "notices.Delivery": "message.kindergarten",
    "safety.PlanReceipt": "version.kindergarten",
}

# Unique constraints on tables with the kindergarten key that do not include it, with the reason. Keys are
# (table, columns). The rule for a random UUID `code` (TenantModel.code, and the same field on core.ApiToken,
# org.Membership and canteen.Food) is stated once (CODE_RULE) and checked on every table.
CODE_RULE = ("TenantModel.code: a random UUID (uuid4), the public identifier in URLs and the API. Unique "
             "without coordination (122 random bits), so it stays unique across shards in fact; but Citus "
             "cannot enforce UNIQUE(code) on a distributed table. Change: UNIQUE(kindergarten_id, code), and "
             "look a code up with its kindergarten (every URL and API path already names the kindergarten's "
             "scope through the signed-in membership).")
PARENT = ("unique within a parent row that belongs to one kindergarten, so the kindergarten is implied; "
          "change: add kindergarten to the constraint (the same rows stay unique)")
UNIQUE_EXCEPTIONS = {
    ("core.ApiToken", ("key_hash",)): "a bearer token is looked up by its hash before the kindergarten is known; "
                                      "change: keep token hashes in a global (reference) lookup table",
    ("health.DeviceToken", ("key_hash",)): "a check device's token is looked up by its hash before the "
                                           "kindergarten is known; change: as core.ApiToken",
    ("canteen.StockFoodLink", ("item",)): "one-to-one with a stock item of the same kindergarten; " + PARENT,
    ("canteen.MenuRevision", ("menu", "version")): PARENT,
    ("canteen.PurchasePlan", ("purchase_request",)): "one-to-one with a purchase request of the same kindergarten; "
                                                     + PARENT,
    ("canteen.PurchasePlanLine", ("receipt",)): "one-to-one with a stock receipt (movement) of the same kindergarten; "
                                                + PARENT,
    ("health.Attendance", ("child", "date")): PARENT,
    ("health.CatchUp", ("child", "vaccine", "dose_no")): PARENT,
    ("health.CheckFinding", ("session", "child")): PARENT,
    ("health.CheckSession", ("school_class", "date", "kind")): PARENT,
    ("health.Correction", ("child", "kind")): PARENT,
    ("health.HealthObservation", ("child", "date")): PARENT,
    ("notices.JobRun", ("job", "period")): "partial: only the instance's own runs (kindergarten NULL, the nightly "
                                           "backup), which have no kindergarten to include; they move to a global "
                                           "table with the NULL rows (MIXED)",
    ("health.MedicationGiven", ("request", "date", "scheduled")): PARENT,
    ("health.VaccinationDose", ("child", "vaccine", "dose_no")): PARENT,
    ("reports.Summary", ("term",)): PARENT,
    ("reports.SummaryVersion", ("summary", "number")): PARENT,
    ("safety.Release", ("child", "date")): PARENT,
    ("safety.SelfCheck", ("zone", "date")): PARENT,
    ("safety.PlanVersion", ("plan", "number")): PARENT,
    ("finance.MeterReading", ("meter", "month")): PARENT,
    ("staff.AssessmentItem", ("post", "name")): PARENT,
    ("staff.Deduction", ("assessment", "finding_key")): PARENT,
    ("staff.ProcedureCheck", ("school_class", "date", "step")): PARENT,
    ("staff.Rating", ("round", "rater", "ratee")): PARENT,
    ("staff.TrainingAttendance", ("training", "user")): PARENT,
    # Mixed table: the shipped composition rows (kindergarten NULL) are unique by their food code.
    ("canteen.Food", ("food_code",)): "the shipped composition rows (kindergarten NULL) by food code: it moves "
                                      "with them to the reference table (MIXED)",
}


# --- the walk ------------------------------------------------------------------------------------

def _label(model) -> str:
    return model._meta.label


def all_models():
    return sorted(apps.get_models(include_auto_created=True), key=_label)


def is_history(model) -> bool:
    """A django-simple-history table (HistoricalX of X): it has `instance_type`, the model it records."""
    return hasattr(model, "instance_type") and _label(model).split(".")[1].startswith("Historical")


def kindergarten_field(model):
    try:
        field = model._meta.get_field("kindergarten")
    except Exception:  # noqa: BLE001 - FieldDoesNotExist
        return None
    if getattr(field, "concrete", False) and field.is_relation and _label(field.related_model) == KG:
        return field
    return None


def follow(model, path: str):
    """Follow `a.b.kindergarten` from model; every step must be a non-null foreign key. Returns the model the
    last step points at, or raises AssertionError naming the step that breaks."""
    current = model
    for name in path.split("."):
        field = current._meta.get_field(name)
        assert field.many_to_one or field.one_to_one, f"{_label(current)}.{name} is not a foreign key"
        assert not field.null, f"{_label(current)}.{name} may be NULL: the chain from {_label(model)} breaks"
        current = field.related_model
    return current


def classify(model) -> str:
    label = _label(model)
    if is_history(model):
        return "history"
    if label in GLOBAL:
        return "global"
    if label in MIXED:
        return "mixed"
    if label in THROUGH:
        return "through"
    field = kindergarten_field(model)
    if field is not None and not field.null:
        return "tenant"
    return "unclassified"


def tenant_like(model) -> bool:
    """Rows of kindergartens: tables that will be distributed by kindergarten_id."""
    return classify(model) in {"tenant", "through", "mixed"}


def unique_sets(model) -> list[tuple[str, tuple[str, ...], object]]:
    """Every uniqueness on the table except the primary key: (kind, field names, the field or constraint)."""
    meta = model._meta
    found = [("field", (f.name,), f) for f in meta.concrete_fields if f.unique and not f.primary_key]
    found += [("unique_together", tuple(fields), None) for fields in meta.unique_together]
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            assert constraint.fields, f"{_label(model)}.{constraint.name}: an expression constraint, classify it here"
            found.append(("constraint", tuple(constraint.fields), constraint))
    return found


def is_random_code(model, field) -> bool:
    return (
        field is not None and field.name == "code" and isinstance(field, models.UUIDField)
        and field.default is uuid.uuid4
    )


def unique_without_key() -> dict[tuple[str, tuple[str, ...]], str]:
    """(table, columns) → kind, for every uniqueness on a table with the kindergarten key that lacks it,
    except a random UUID `code` (CODE_RULE)."""
    found = {}
    for model in all_models():
        if classify(model) not in {"tenant", "mixed"}:
            continue
        for kind, fields, obj in unique_sets(model):
            if "kindergarten" in fields or (kind == "field" and is_random_code(model, obj)):
                continue
            found[(_label(model), fields)] = kind
    return found


def tenant_foreign_keys() -> list[tuple[str, str, str]]:
    """(table, column, referenced table) for every foreign key with a database constraint between two tables
    of kindergartens that does not include the kindergarten key (a one-column foreign key)."""
    rows = []
    for model in all_models():
        if not tenant_like(model):
            continue
        for field in model._meta.concrete_fields:
            if not field.is_relation or not field.db_constraint or field.related_model is None:
                continue
            if not tenant_like(field.related_model):
                continue
            if "kindergarten" in [f.name for f in field.local_related_fields]:  # a composite key with it
                continue
            rows.append((_label(model), field.column, _label(field.related_model)))
    return sorted(rows)


# --- the lists in docs/SCALE.md ------------------------------------------------------------------

def _fk_block() -> str:
    by_table: dict[str, list[str]] = {}
    for table, column, target in tenant_foreign_keys():
        by_table.setdefault(table, []).append(f"{column}→{target}")
    return "\n".join(f"{table}: {', '.join(cols)}" for table, cols in sorted(by_table.items()))


def _unique_block() -> str:
    return "\n".join(f"{table} ({', '.join(fields)})" for table, fields in sorted(unique_without_key()))


def _through_block() -> str:
    return "\n".join(f"{table} via {path}" for table, path in sorted(THROUGH.items()))


def _mixed_block() -> str:
    return "\n".join(sorted(MIXED))


BLOCKS = {
    "foreign-keys": _fk_block,
    "unique": _unique_block,
    "through": _through_block,
    "mixed": _mixed_block,
}


def render_blocks() -> str:
    """The blocks as they belong in docs/SCALE.md (paste them when a model change makes the test fail)."""
    parts = []
    for name, make in BLOCKS.items():
        parts.append(f"<!-- tenancy:{name} -->\n```text\n{make()}\n```\n<!-- /tenancy:{name} -->")
    return "\n\n".join(parts)


def documented(name: str) -> str:
    text = SCALE_MD.read_text(encoding="utf-8")
    match = re.search(rf"<!-- tenancy:{name} -->\n```text\n(.*?)\n?```\n<!-- /tenancy:{name} -->", text, re.S)
    assert match, f"docs/SCALE.md has no block tenancy:{name}"
    return match.group(1).strip()


# --- the tests -----------------------------------------------------------------------------------

def test_every_table_is_classified():
    unclassified = [_label(m) for m in all_models() if classify(m) == "unclassified"]
    assert unclassified == [], (
        "Tables without a non-null kindergarten key that are not listed as global, mixed or through "
        f"(add `kindergarten`, e.g. by deriving from TenantModel, or classify them in test_tenancy): {unclassified}"
    )


def test_tenant_models_carry_a_non_null_kindergarten_key():
    for model in all_models():
        if issubclass(model, TenantModel):
            field = kindergarten_field(model)
            assert field is not None and not field.null, f"{_label(model)} has no non-null kindergarten key"
            assert classify(model) == "tenant", f"{_label(model)} derives from TenantModel but is listed otherwise"
    # The demo's biggest tables are tenant tables (a classification that misses them would be worthless).
    for label in ("health.Attendance", "stock.Movement", "health.Disinfection", "foodsafety.ReceiptLine"):
        assert classify(apps.get_model(label)) == "tenant", label


def test_listed_tables_are_what_the_lists_say():
    labels = {_label(m) for m in all_models()}
    for listing in (GLOBAL, MIXED, THROUGH):
        stale = sorted(set(listing) - labels)
        assert stale == [], f"listed tables that no longer exist: {stale}"
    for label in GLOBAL:
        model = apps.get_model(label)
        assert kindergarten_field(model) is None, f"{label} has a kindergarten key: it is not global"
    for label in MIXED:
        field = kindergarten_field(apps.get_model(label))
        assert field is not None and field.null, f"{label} is listed as mixed but its kindergarten key is not nullable"
    for label, path in THROUGH.items():
        model = apps.get_model(label)
        assert kindergarten_field(model) is None, f"{label} has the key now: remove it from THROUGH"
        assert path.endswith(".kindergarten"), path
        assert _label(follow(model, path)) == KG, f"{label}: {path} does not end at a kindergarten"


def test_global_tables_point_at_no_tenant_table():
    """A reference table may not reference a distributed one (Citus refuses the foreign key)."""
    for model in all_models():
        if classify(model) != "global":
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is not None:
                assert classify(field.related_model) in {"global"}, (
                    f"{_label(model)}.{field.name} points at {_label(field.related_model)}, a table of kindergartens"
                )


def test_history_tables_follow_their_table():
    """A Historical* table records one table; for a tenant table it carries kindergarten_id too (copied, no
    database constraint) so it is distributed with it. It has no unique constraint but its primary key, and
    its only database foreign key is to a global table (history_user)."""
    histories = [m for m in all_models() if is_history(m)]
    assert len(histories) > 50  # most tenant tables keep their history
    for model in histories:
        source = model.instance_type
        if classify(source) == "tenant":
            field = kindergarten_field(model)
            assert field is not None and not field.db_constraint, _label(model)
        assert [u for u in unique_sets(model) if u[1] != ("history_id",)] == [], _label(model)
        for field in model._meta.concrete_fields:
            if field.is_relation and field.db_constraint:  # only who made the change: a global table
                assert classify(field.related_model) == "global", f"{_label(model)}.{field.name}"


def test_tenant_primary_keys_are_one_integer_id():
    """docs/SCALE.md: on Citus every distributed table's primary key becomes (kindergarten_id, id); this holds
    while each is the one integer column `id`."""
    for model in all_models():
        if tenant_like(model):
            pk = model._meta.pk
            assert pk.name == "id" and isinstance(pk, (models.AutoField, models.BigAutoField)), _label(model)


def test_tenant_code_is_a_random_uuid():
    """CODE_RULE holds: the one unique field every TenantModel adds is a uuid4 `code`."""
    for model in all_models():
        if issubclass(model, TenantModel):
            field = model._meta.get_field("code")
            assert field.unique and is_random_code(model, field), _label(model)
    assert uuid.UUID(str(apps.get_model("stock.Movement")._meta.get_field("code").default())).version == 4


def test_unique_constraints_include_the_kindergarten_key_or_are_listed():
    found = unique_without_key()
    unlisted = sorted(set(found) - set(UNIQUE_EXCEPTIONS))
    assert unlisted == [], (
        "Unique constraints on tenant tables without the kindergarten key (add `kindergarten` to the "
        f"constraint, or list it in UNIQUE_EXCEPTIONS with the reason): {unlisted}"
    )
    stale = sorted(set(UNIQUE_EXCEPTIONS) - set(found))
    assert stale == [], f"UNIQUE_EXCEPTIONS lists constraints that are gone or now include the key: {stale}"
    assert all(reason.strip() for reason in UNIQUE_EXCEPTIONS.values())


def test_unique_check_catches_a_constraint_without_the_key():
    """The check itself: a uniqueness without the key on a tenant table is found, one with it is not."""

    class Probe(TenantModel):
        number = models.CharField(max_length=10, unique=True)
        day = models.DateField()
        label = models.CharField(max_length=10)

        class Meta:
            app_label = "core"
            constraints = [
                models.UniqueConstraint(fields=["day", "label"], name="probe_no_key"),
                models.UniqueConstraint(fields=["kindergarten", "label"], name="probe_with_key"),
            ]

    try:
        assert classify(Probe) == "tenant"
        found = unique_without_key()
        assert found[("core.Probe", ("number",))] == "field"
        assert found[("core.Probe", ("day", "label"))] == "constraint"
        assert ("core.Probe", ("kindergarten", "label")) not in found
        assert not any(key[0] == "core.Probe" and key[1] == ("code",) for key in found)
    finally:
        del apps.all_models["core"]["probe"]
        apps.clear_cache()
    assert "core.Probe" not in {_label(m) for m in all_models()}


def test_classification_catches_a_table_without_the_key():
    class Stray(models.Model):
        child = models.ForeignKey("org.Child", on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "core"

    try:
        assert classify(Stray) == "unclassified"
        assert "core.Stray" in [_label(m) for m in all_models() if classify(m) == "unclassified"]
    finally:
        del apps.all_models["core"]["stray"]
        apps.clear_cache()


def test_documented_lists_match_the_models():
    """docs/SCALE.md's lists (foreign keys without the key, unique constraints without it, tables that reach
    their kindergarten through a parent, mixed tables) are the ones the models have today."""
    for name, make in BLOCKS.items():
        assert documented(name) == make(), (
            f"docs/SCALE.md block tenancy:{name} is out of date; print the blocks with render_blocks() "
            "(see this module's docstring) and paste them"
        )


def test_foreign_key_list_is_complete_where_it_matters():
    rows = tenant_foreign_keys()
    assert ("stock.Movement", "batch_id", "stock.Batch") in rows
    assert ("notices.NoticeReceipt", "notice_id", "notices.Notice") in rows
    assert ("org.Membership_classes", "schoolclass_id", "org.SchoolClass") in rows
    # Foreign keys to global tables (users, kindergartens) are not listed: a distributed table may reference
    # a reference table on Citus.
    assert not any(target in {KG, "core.User", "org.District"} for _, _, target in rows)
