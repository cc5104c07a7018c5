"""`manage.py migrate_fresh`: the quick way to set up an EMPTY database (make demo).

On an empty database it creates the tables straight from the models (as the tests do with
--no-migrations), records every migration as applied, and lets the post_migrate receivers load the
package data once (the food composition table, permissions). Replaying the migrations one by one
renders the project state at every step, which is what made `migrate` on a fresh database slow.
A database that has any table gets the real `migrate`, so existing data is always migrated the
usual way. The models and the migrations agree (`makemigrations --check` is part of the checks),
so the tables are the ones the migrations would have made.
"""

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test.utils import override_settings


class Command(BaseCommand):
    help = "Create the tables of an empty database from the models and mark the migrations applied; " \
           "on a database with tables, run the real migrate."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database, verbosity, **options):
        connection = connections[database]
        if connection.introspection.table_names():
            if verbosity:
                self.stdout.write("数据库已有数据表，执行常规 migrate。 The database has tables: running migrate.")
            call_command("migrate", database=database, interactive=False, verbosity=verbosity)
            return
        applied = sorted(MigrationLoader(connection, ignore_no_migrations=True).graph.nodes)
        no_migrations = {config.label: None for config in apps.get_app_configs()}
        with override_settings(MIGRATION_MODULES=no_migrations):
            call_command("migrate", database=database, run_syncdb=True, interactive=False, verbosity=0)
        recorder = MigrationRecorder(connection)
        recorder.ensure_schema()
        recorder.migration_qs.bulk_create([recorder.Migration(app=app, name=name) for app, name in applied])
        if verbosity:
            self.stdout.write(self.style.SUCCESS(
                f"已按模型建表，{len(applied)} 个迁移记为已执行。 "
                f"Tables created from the models; {len(applied)} migrations recorded as applied."))
