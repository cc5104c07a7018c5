"""Writing many records at once with their history rows."""

from django.db import transaction
from simple_history.utils import bulk_update_with_history, get_history_manager_for_model


def update_alike_with_history(objs, model, fields, *, default_user=None, default_change_reason=None,
                              batch_size=None) -> int:
    """simple_history's bulk_update_with_history (each record's current values of `fields` written,
    one history row per record) for records that mostly share those values, as when a service moves
    a month's bills to the same state: one UPDATE per group of records with the same values instead of
    Django's bulk_update, whose CASE WHEN per record and field is slow on hundreds of records. Like
    bulk_update, it writes the values as they are on the records (no auto_now). The values must be
    hashable (no JSON dict). Returns the number of rows updated."""
    objs = list(objs)
    if not objs or not fields:
        return bulk_update_with_history(objs, model, fields, batch_size=batch_size, default_user=default_user,
                                        default_change_reason=default_change_reason)
    attnames = [model._meta.get_field(name).attname for name in fields]
    groups: dict[tuple, list] = {}
    for obj in objs:
        groups.setdefault(tuple(getattr(obj, a) for a in attnames), []).append(obj.pk)
    updated, chunk = 0, batch_size or 500
    manager = model._default_manager
    with transaction.atomic(savepoint=False):
        for values, pks in groups.items():
            for i in range(0, len(pks), chunk):
                updated += manager.filter(pk__in=pks[i:i + chunk]).update(
                    **dict(zip(attnames, values, strict=True)))
        get_history_manager_for_model(model).bulk_history_create(
            objs, batch_size=batch_size, update=True, default_user=default_user,
            default_change_reason=default_change_reason)
    return updated
