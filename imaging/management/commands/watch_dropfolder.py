"""manage.py watch_dropfolder [--once] [--interval SECONDS]

The drop-folder scan that Celery beat runs every minute, for sites without beat: every settled file under
IMAGING_DROP_FOLDER becomes an ingest job (see imaging.services.dropfolder).
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from imaging.services.dropfolder import dropfolder_scan


class Command(BaseCommand):
    help = "Ingest the settled files of the drop folder (IMAGING_DROP_FOLDER), once or every --interval seconds."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="scan once and exit")
        parser.add_argument("--interval", type=int, default=60, help="seconds between scans (default 60)")

    def handle(self, *args, once=False, interval=60, **options):
        if not settings.IMAGING_DROP_FOLDER:
            raise CommandError("IMAGING_DROP_FOLDER is not set; there is no drop folder to watch.")
        if interval < 1:
            raise CommandError("--interval must be at least 1 second.")
        while True:
            jobs = dropfolder_scan()
            if jobs or once:
                self.stdout.write(f"{len(jobs)} files taken from {settings.IMAGING_DROP_FOLDER}")
            if once:
                return
            time.sleep(interval)
