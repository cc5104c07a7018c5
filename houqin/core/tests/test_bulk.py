"""core.bulk.update_alike_with_history: the records and their history end as with simple_history's
bulk_update_with_history, in one UPDATE per group of alike records."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from simple_history.utils import bulk_update_with_history

from houqin.core.bulk import update_alike_with_history
from houqin.org.models import Guardian, Relation
from houqin.testing import ChildFactory, GuardianFactory, UserFactory

pytestmark = pytest.mark.django_db


def _guardians(n):
    child = ChildFactory()
    return [GuardianFactory(child=child, kindergarten=child.kindergarten) for _ in range(n)]


def _state(guardians):
    rows = list(Guardian.objects.filter(pk__in=[g.pk for g in guardians]).order_by("pk")
                .values_list("name", "relation", "phone", "user_id", "updated_at"))
    history = [list(g.history.order_by("history_id").values_list("history_type", "name", "relation", "phone",
                                                                  "history_change_reason", "history_user_id"))
               for g in Guardian.objects.filter(pk__in=[g.pk for g in guardians]).order_by("pk")]
    return rows, history


def _change(guardians, user):
    for i, g in enumerate(guardians):  # two groups of alike values, and one record on its own
        g.relation = Relation.FATHER if i % 2 else Relation.PATERNAL_GRANDMOTHER
        g.user = None if i == 0 else user


def test_the_same_records_and_history_as_bulk_update_with_history():
    user = UserFactory()
    ours, theirs = _guardians(7), _guardians(7)
    _change(ours, user)
    _change(theirs, user)
    fields = ["relation", "user"]
    with CaptureQueriesContext(connection) as queries:
        n = update_alike_with_history(ours, Guardian, fields, default_user=user, default_change_reason="edited")
    assert n == 7
    updates = [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 3  # (grandmother, no user), (father, user), (grandmother, user)
    bulk_update_with_history(theirs, Guardian, fields, default_user=user, default_change_reason="edited")
    ours_rows, ours_history = _state(ours)
    theirs_rows, theirs_history = _state(theirs)
    assert [(r[1], r[3]) for r in ours_rows] == [(r[1], r[3]) for r in theirs_rows]
    assert (ours_rows[0][1], ours_rows[0][3]) == (Relation.PATERNAL_GRANDMOTHER, None)
    assert [r[3] for r in ours_rows[1:]] == [user.pk] * 6
    assert {r[1] for r in ours_rows} == {Relation.FATHER, Relation.PATERNAL_GRANDMOTHER}
    # names and phones differ by construction (factories); the history rows say the same things
    strip = lambda hs: [[(h[0], h[2], h[4], h[5]) for h in rows] for rows in hs]  # noqa: E731
    assert strip(ours_history) == strip(theirs_history)
    assert all(rows[-1][0] == "~" and rows[-1][4] == "edited" for rows in ours_history)

