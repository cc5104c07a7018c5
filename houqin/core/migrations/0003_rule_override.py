import django.db.models.deletion
import django.utils.timezone
import simple_history.models
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_initial'),
        ('org', '0002_people_names_labelled_full_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalRuleOverride',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('code', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False, verbose_name='code')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated at')),
                ('area', models.CharField(max_length=20, verbose_name='area')),
                ('key', models.CharField(max_length=80, verbose_name='rule figure')),
                ('value', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='value')),
                ('source', models.CharField(max_length=300, verbose_name='source')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='note')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('kindergarten', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='org.kindergarten', verbose_name='kindergarten')),
            ],
            options={
                'verbose_name': 'historical rule figure override',
                'verbose_name_plural': 'historical rule figure overrides',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='RuleOverride',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='code')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('area', models.CharField(max_length=20, verbose_name='area')),
                ('key', models.CharField(max_length=80, verbose_name='rule figure')),
                ('value', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='value')),
                ('source', models.CharField(max_length=300, verbose_name='source')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='note')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('kindergarten', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.kindergarten', verbose_name='kindergarten')),
            ],
            options={
                'verbose_name': 'rule figure override',
                'verbose_name_plural': 'rule figure overrides',
                'constraints': [models.UniqueConstraint(fields=('kindergarten', 'area', 'key'), name='core_rule_override_once')],
            },
        ),
    ]
