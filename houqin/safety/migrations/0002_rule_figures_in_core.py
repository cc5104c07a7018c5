"""The kindergarten's own rule figures move to core.RuleOverride (core.rules: one mechanism for
every area); this area's own table goes."""

from django.db import migrations


def to_core(apps, schema_editor):
    Old = apps.get_model("safety", "SafetySettings")
    New = apps.get_model("core", "RuleOverride")
    keys = ("drills_per_term", "hazard_days", "fire_check_days", "fire_inspection_months", "peak_posts")
    for row in Old.objects.all():  # one row of own values (no source): each becomes 本园规定
        for key in keys:
            if getattr(row, key) is not None:
                New.objects.create(kindergarten_id=row.kindergarten_id, created_by_id=row.created_by_id,
                                   area="safety", key=key, value=getattr(row, key), source="本园规定")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_rule_override'),
        ('safety', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(to_core, migrations.RunPython.noop),
        migrations.DeleteModel(name="HistoricalSafetySettings"),
        migrations.DeleteModel(name="SafetySettings"),
    ]
