"""Delete the restricted records of deleted children whose legal retention period has ended.

The rule (PIPL art. 47): a record the law keeps is stored and protected until its period ends, then
deleted. A deletion request (houqin.org.privacy.erasure_carry_out) sets each kept record's end date
from data/retention.json; this command deletes those that ended before today, with their files, and
writes one audit event a kindergarten. Idempotent: run it daily (the scheduler calls
houqin.org.privacy.purge_restricted)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from houqin.org.privacy import purge_restricted


class Command(BaseCommand):
    help = "Delete restricted records of deleted children whose retention period has ended."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, today=None, **options):
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError:
                raise CommandError("--today: YYYY-MM-DD") from None
        count = purge_restricted(today=day)
        self.stdout.write(f"purged {count} restricted record(s)")
