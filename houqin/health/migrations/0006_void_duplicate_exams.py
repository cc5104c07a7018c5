"""Exams recorded twice (the same child, day and exam: a clinic file imported twice before the
import refused it) are voided, the first one kept, so that the constraint of 0007 can be added."""

from django.db import migrations
from django.db.models import Count, Min
from django.utils import timezone

REASON = "重复录入：同一幼儿同一天的同一体检已有记录（保留最早录入的一条）"


def void_duplicates(apps, schema_editor):
    Exam = apps.get_model("health", "Exam")
    active = Exam.objects.filter(voided_at__isnull=True)
    groups = (active.values("child_id", "date", "kind").annotate(n=Count("pk"), first=Min("pk")).filter(n__gt=1)
              .order_by())
    now = timezone.now()
    for g in groups:
        (active.filter(child_id=g["child_id"], date=g["date"], kind=g["kind"]).exclude(pk=g["first"])
         .update(voided_at=now, void_reason=REASON))


class Migration(migrations.Migration):

    dependencies = [
        ('health', '0005_rule_figures_in_core'),
    ]

    operations = [
        migrations.RunPython(void_duplicates, migrations.RunPython.noop),
    ]
