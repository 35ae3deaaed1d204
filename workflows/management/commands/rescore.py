from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent
from instruments.registry import is_known_anywhere
from workflows.services import responses_rescore


class Command(BaseCommand):
    help = "Recompute stored scores whose scoring version differs from the installed scorer's."

    def add_arguments(self, parser):
        parser.add_argument("--instrument", help="only responses to this instrument code")
        parser.add_argument("--all", action="store_true", help="rescore every response, whatever its version")

    def handle(self, *args, instrument=None, all=False, **options):  # noqa: A002 - the option's name
        if instrument and not is_known_anywhere(instrument):
            raise CommandError(f"unknown instrument {instrument!r}")
        counts = responses_rescore(instrument_code=instrument, force=all, path=AuditEvent.Path.SYSTEM)
        self.stdout.write(f"{counts['checked']} responses rescored, {counts['changed']} with changed scores.")
