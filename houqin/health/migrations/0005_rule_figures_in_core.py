"""The kindergarten's own rule figures move to core.RuleOverride (core.rules: one mechanism for
every area); this area's own table goes."""

from django.db import migrations


def to_core(apps, schema_editor):
    Old = apps.get_model("health", "RuleOverride")
    New = apps.get_model("core", "RuleOverride")
    for row in Old.objects.all():  # health kept "why" only: it becomes the source of the own value
        New.objects.create(kindergarten_id=row.kindergarten_id, code=row.code, created_at=row.created_at,
                           created_by_id=row.created_by_id, area="health", key=row.key, value=row.value,
                           source=row.note or "本园规定")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_rule_override'),
        ('health', '0004_medication'),
    ]

    operations = [
        migrations.RunPython(to_core, migrations.RunPython.noop),
        migrations.DeleteModel(name="HistoricalRuleOverride"),
        migrations.DeleteModel(name="RuleOverride"),
    ]
