"""`manage.py check_migrations`: do the real migrations build the tables the models describe?

On the PostgreSQL server of DATABASE_URL it creates two scratch databases: one by replaying every
migration (`migrate`, the path a production database takes), one from the models
(`migrate_fresh`, the way the tests and `make demo` build theirs), compares their schemas and
package data (houqin.core.schema) and drops them. `make test` runs it beside the two test runs."""

import os
import subprocess
import sys
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.utils import ConnectionHandler

from houqin.core.schema import differences, facts

MANAGE = Path(settings.BASE_DIR) / "manage.py"
# Differences that are Django's, not Houqin's, each with its reason (the exact line).
KNOWN = {
    "auth_group_permissions.id: ('20', 8, 8, None, None, False, None, None, True) instead of "
    "('23', 4, 4, None, None, False, None, None, True)":
        "Django's own auth app: its migration state gives the group-permission link table the project's "
        "DEFAULT_AUTO_FIELD (bigint), its app config gives the model AutoField (integer); both hold ids.",
}


class Command(BaseCommand):
    help = "Build one scratch PostgreSQL database by the migrations and one from the models, and compare them."

    def handle(self, *args, verbosity, **options):
        if connection.vendor != "postgresql":
            raise CommandError("check_migrations needs DATABASE_URL to name a PostgreSQL server.")
        url = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        pid = os.getpid()
        built = {"migrations": f"houqin_check_migrated_{pid}", "models": f"houqin_check_models_{pid}"}
        for name in built.values():
            self._sql(f'CREATE DATABASE "{name}"')
        try:
            procs = {
                how: subprocess.Popen(
                    [sys.executable, str(MANAGE), "migrate" if how == "migrations" else "migrate_fresh",
                     "--verbosity", "0"] + (["--noinput"] if how == "migrations" else []),
                    env={**os.environ, "DATABASE_URL": f"{url}/{name}"}, stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT, text=True)
                for how, name in built.items()
            }
            for how, proc in procs.items():
                output, _ = proc.communicate()
                if proc.returncode:
                    raise CommandError(f"Building the database by the {how} failed:\n{output}")
            # A handler of its own for the two scratch databases (it needs a "default").
            handler = ConnectionHandler({
                "default": dj_database_url.parse(f"{url}/{built['migrations']}"),
                "models": dj_database_url.parse(f"{url}/{built['models']}"),
            })
            try:
                found = differences(facts(handler["default"]), facts(handler["models"]))
            finally:
                handler.close_all()
        finally:
            for name in built.values():
                self._sql(f'DROP DATABASE IF EXISTS "{name}"')
        for line in [line for line in found if line in KNOWN]:
            found.remove(line)
            if verbosity:
                self.stdout.write(f"Known, not ours: {line} ({KNOWN[line]})")
        if found:
            raise CommandError("The migrations build other tables than the models describe:\n" + "\n".join(found))
        if verbosity:
            self.stdout.write(self.style.SUCCESS(
                "The migrations build the tables the models describe (columns, keys, indexes, checks, data)."))

    def _sql(self, statement):
        with connection.cursor() as cursor:
            cursor.execute(statement)
