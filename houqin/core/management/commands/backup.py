"""manage.py backup: one consistent archive of the database and the uploaded files (houqin.core.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from houqin.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Write a timestamped archive of the database, the uploaded files and a manifest; prune old archives."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=None, help="where to write (default HOUQIN_BACKUP_DIR)")
        parser.add_argument("--keep", type=int, default=None,
                            help="keep this many newest archives, 0 keeps all (default HOUQIN_BACKUP_KEEP)")
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, **options):
        try:
            result = create_backup(options["dir"], using=options["database"], keep=options["keep"])
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        size = result.path.stat().st_size
        self.stdout.write(_("Backup written: %(path)s (%(mb).1f MB, %(tables)s tables, %(rows)s rows, %(files)s "
                            "files, %(seconds).1f s).") % {
            "path": result.path, "mb": size / 1e6, "tables": len(result.manifest["tables"]),
            "rows": result.rows, "files": result.files, "seconds": result.seconds})
        for old in result.pruned:
            self.stdout.write(_("Old archive removed: %(path)s") % {"path": old})
