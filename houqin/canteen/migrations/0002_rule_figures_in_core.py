"""The kindergarten's own rule figures move to core.RuleOverride (core.rules: one mechanism for
every area); this area's own table goes."""

from django.db import migrations


def to_core(apps, schema_editor):
    Old = apps.get_model("canteen", "RuleOverride")
    New = apps.get_model("core", "RuleOverride")
    for row in Old.objects.all():
        New.objects.create(kindergarten_id=row.kindergarten_id, code=row.code, created_at=row.created_at,
                           created_by_id=row.created_by_id, area="canteen", key=row.key, value=row.value,
                           source=row.source)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_rule_override'),
        ('canteen', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(to_core, migrations.RunPython.noop),
        migrations.DeleteModel(name="HistoricalRuleOverride"),
        migrations.DeleteModel(name="RuleOverride"),
    ]
