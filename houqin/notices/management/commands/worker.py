"""manage.py worker: the kindergarten's clock and the outbox (houqin.notices.schedule). Runs a round
every HOUQIN_WORKER_INTERVAL seconds until stopped; `--once` runs one round and exits."""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.translation import gettext as _

from houqin.notices.schedule import run_once


class Command(BaseCommand):
    help = "Run the scheduled jobs and send the outbox's messages: one round, or a round every interval."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run one round and exit")
        parser.add_argument("--interval", type=int, default=None,
                            help="seconds between rounds (default HOUQIN_WORKER_INTERVAL)")

    def handle(self, *args, **options):
        interval = max(1, options["interval"] or settings.HOUQIN_WORKER_INTERVAL)
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_a: stopping.append(True))
        while True:
            result = run_once()
            if result["runs"] or result["sent"] or result["retry"] or result["failed"]:
                self.stdout.write(_("Worker round: %(runs)d jobs run, %(sent)d sent, %(retry)d to retry, "
                                    "%(failed)d failed.") % {"runs": len(result["runs"]), "sent": result["sent"],
                                                             "retry": result["retry"], "failed": result["failed"]})
            if options["once"] or stopping:
                return
            close_old_connections()  # a long-running process: a fresh connection when the old one broke
            for _i in range(interval):
                if stopping:
                    return
                time.sleep(1)
