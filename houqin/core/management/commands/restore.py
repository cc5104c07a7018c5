"""manage.py restore ARCHIVE: into an empty database and an empty upload folder, after checking
the archive against its manifest (houqin.core.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from houqin.core.backup import BackupError, restore_backup, verify_archive


class Command(BaseCommand):
    help = ("Restore an archive made by `manage.py backup` into the configured database and upload folder, "
            "which must be empty; --verify-only checks the archive and changes nothing.")
    requires_system_checks = []  # nothing may touch the target database before the emptiness check

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--verify-only", action="store_true", help="check checksums and members, restore nothing")

    def handle(self, *args, **options):
        try:
            if options["verify_only"]:
                manifest = verify_archive(options["archive"])
                self.stdout.write(_("The archive is intact: %(members)s members match their checksums; made %(at)s "
                                    "from %(engine)s, %(tables)s tables, %(rows)s rows.") % {
                    "members": len(manifest["members"]), "at": manifest["created_at"], "engine": manifest["engine"],
                    "tables": len(manifest["tables"]), "rows": sum(manifest["tables"].values())})
                return
            report = restore_backup(options["archive"])
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(_("Restored %(archive)s (made %(at)s) into %(target)s and %(media)s: %(tables)s tables and "
                            "%(rows)s rows match the manifest, %(files)s files match their checksums (%(seconds).1f s)."
                            ) % {"archive": report.archive, "at": report.manifest["created_at"],
                                 "target": report.target, "media": report.media_root, "tables": report.tables,
                                 "rows": report.rows, "files": report.files, "seconds": report.seconds})
