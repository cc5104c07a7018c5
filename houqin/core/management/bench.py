"""The one base of the benchmark commands (`manage.py bench_<area>`, run by `make bench`).

A benchmark builds its own data (factories, a part of the demo) and some keep it, so it must never
run on a database that holds anything: BenchCommand refuses, before `handle`, any database with a
district, a kindergarten or a user in it. `make bench` gives each bench command a copy of the
freshly migrated, empty database of its own (scripts/bench.sh).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


def require_throwaway_database() -> None:
    """Raise CommandError unless the current database is empty (migrated, no district, kindergarten
    or user): the only kind a benchmark may fill."""
    from django.contrib.auth import get_user_model

    from houqin.org.models import District, Kindergarten

    held = [name for name, model in (("districts", District), ("kindergartens", Kindergarten),
                                     ("users", get_user_model())) if model.objects.exists()]
    if held:
        raise CommandError(
            f"This database holds {', '.join(held)}: a benchmark runs only on a throwaway database, "
            "freshly migrated and empty (make bench gives each bench command one of its own), because it "
            "writes its own data.")


class BenchCommand(BaseCommand):
    """A benchmark command: refuses any database but an empty, throwaway one (see the module)."""

    def execute(self, *args, **options):
        require_throwaway_database()
        return super().execute(*args, **options)
