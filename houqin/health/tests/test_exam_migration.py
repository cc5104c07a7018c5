"""Migration 0006 voids the exams recorded twice before 0007's constraint could be added: the same
child, day and kind twice (or three times) keeps its first record and voids the others with a Chinese
reason; a different kind that day, another day, and an already voided row are left alone. Run against
the real table with 0007's constraint taken off for the test and put back at the end (which succeeds
only if the duplicates were voided), on both databases."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from houqin.health import services
from houqin.health.models import Exam
from houqin.health.tests.conftest import actor_of
from houqin.org.models import Role

pytestmark = pytest.mark.django_db(transaction=True)

MIGRATION = importlib.import_module("houqin.health.migrations.0006_void_duplicate_exams")


@pytest.fixture
def health(world):
    return actor_of(world, Role.HEALTH_TEACHER)


@pytest.fixture
def without_constraint():
    [constraint] = [c for c in Exam._meta.constraints if c.name == "exam_one_per_child_day_kind"]
    with connection.schema_editor() as editor:
        editor.remove_constraint(Exam, constraint)
    yield
    with connection.schema_editor() as editor:
        editor.add_constraint(Exam, constraint)


def test_duplicates_are_voided_the_first_kept(world, health, without_constraint):
    day = timezone.localdate()
    a, b = world.k1.children[0], world.k1.children[1]
    first = services.exam_record(actor=health, child=a, day=day, height_cm="104", weight_kg="16")
    fields = {f.attname: getattr(first, f.attname) for f in Exam._meta.concrete_fields if f.attname not in ("id", "code")}
    twice = Exam.objects.create(**fields)
    thrice = Exam.objects.create(**{**fields, "height_cm": "104.5"})
    other_kind = Exam.objects.create(**{**fields, "kind": "admission"})
    voided_before = Exam.objects.create(**{**fields, "voided_at": timezone.now(), "void_reason": "录错"})
    other_day = Exam.objects.create(**{**fields, "date": day.replace(day=1)})
    other_child = services.exam_record(actor=health, child=b, day=day, height_cm="99", weight_kg="15")

    MIGRATION.void_duplicates(apps, connection.schema_editor())

    active = set(Exam.objects.filter(voided_at__isnull=True).values_list("pk", flat=True))
    assert active == {first.pk, other_kind.pk, other_day.pk, other_child.pk}
    for exam in (twice, thrice):
        exam.refresh_from_db()
        assert exam.voided_at is not None and exam.void_reason == MIGRATION.REASON
    voided_before.refresh_from_db()
    assert voided_before.void_reason == "录错"  # not touched
    assert "保留最早录入" in MIGRATION.REASON
    # run twice: nothing more to do
    MIGRATION.void_duplicates(apps, connection.schema_editor())
    assert set(Exam.objects.filter(voided_at__isnull=True).values_list("pk", flat=True)) == active
