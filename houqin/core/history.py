"""Showing a record's django-simple-history on its page (core/_history.html)."""

import re

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

# The change reasons the services write as a word (the key stays in the history table), in the words
# the page shows. A reason "draft → submitted" is shown with the labels of the record's states.
REASON_WORDS = {
    "settings": _("settings changed"),
    "budget": _("budget set"),
    "lines": _("lines changed"),
    "edited": _("edited"),
    "receipt": _("receipt attached"),
    "created": _("created"),
    "published": _("published"),
    "assigned": _("assigned"),
    "rectified": _("rectified"),
    "closed": _("closed"),
    "reopened": _("reopened"),
    "repair request": _("repair requested"),
    "voided": _("voided"),
    "saved": _("saved"),
    "signed": _("signed"),
    "added": _("added"),
    "recorded": _("recorded"),
    "photo": _("photo added"),
    "left": _("left the kindergarten"),
    "arrived": _("arrived"),
    "attended": _("attended"),
    "cancelled": _("cancelled"),
    "checked": _("checked"),
    "confirmed": _("confirmed"),
    "held": _("held"),
    "ok": _("passed"),
    "passed": _("passed"),
    "planned": _("planned"),
    "requested": _("requested"),
    "finding": _("found in an inspection"),
    "generated": _("generated"),
    "reported": _("reported"),
}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORDS = re.compile(r"\s*\b[A-Za-z][A-Za-z'-]*(?:\s+[A-Za-z][A-Za-z'-]*)*\b")


def reason_words(record, reason: str) -> str:
    """A change reason in words: a known keyword by REASON_WORDS, a change of state ("a → b") by the
    labels of the record's choices; a reason a person typed as it is."""
    if not reason:
        return ""
    if reason in REASON_WORDS:
        return str(REASON_WORDS[reason])
    if " → " in reason:
        labels = {}
        for field in record.instance_type._meta.fields:
            labels.update({str(k): str(v) for k, v in (getattr(field, "choices", None) or [])})
        parts = reason.split(" → ")
        if all(p in labels for p in parts):
            return " → ".join(labels[p] for p in parts)
    if _CJK.search(reason):  # "开学交接 start-of-term handover": the Chinese words only
        return _LATIN_WORDS.sub("", reason).strip()
    return reason


def _label_and_values(record, change) -> tuple[str, object, object]:
    try:
        field = record.instance_type._meta.get_field(change.field)
    except FieldDoesNotExist:  # a field removed since the change was made
        return change.field, change.old, change.new
    old, new = change.old, change.new
    if isinstance(field, models.FileField):  # a stored file's path means nothing to a reader
        return field.verbose_name, _("a file") if old else "", _("a new file") if new else ""
    if getattr(field, "choices", None):
        labels = dict(field.choices)
        old, new = labels.get(old, old), labels.get(new, new)
    return field.verbose_name, old, new


def history_rows(history) -> list[dict]:
    """Each change of a record (newest first): when, who, why, and which fields went from what to
    what, with choices shown by their labels."""
    rows = []
    records = list(history)
    if not records:  # made by bulk_create (demo, imports): no history rows yet
        return []
    for record, previous in zip(records, records[1:] + [None], strict=True):
        changes = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                label, old, new = _label_and_values(record, change)
                changes.append({"field": label, "old": old, "new": new})
        kind = str(record.get_history_type_display())
        reason = reason_words(record, record.history_change_reason or "")
        rows.append({
            "at": record.history_date,
            "user": record.history_user,
            "type": kind,
            "reason": "" if reason == kind else reason,  # not "已创建（已创建）"
            "changes": changes,
        })
    return rows
