"""Showing a record's django-simple-history on its page (core/_history.html)."""

from django.core.exceptions import FieldDoesNotExist


def _label_and_values(record, change) -> tuple[str, object, object]:
    try:
        field = record.instance_type._meta.get_field(change.field)
    except FieldDoesNotExist:  # a field removed since the change was made
        return change.field, change.old, change.new
    old, new = change.old, change.new
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
        rows.append({
            "at": record.history_date,
            "user": record.history_user,
            "type": record.get_history_type_display(),
            "reason": record.history_change_reason or "",
            "changes": changes,
        })
    return rows
