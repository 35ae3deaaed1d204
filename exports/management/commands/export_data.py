"""manage.py export_data: one export of a study's CRF data to a file, as the export page makes it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exports.models import DataExport
from exports.selectors import Choice
from exports.services import command_export
from studies.models import Study


class Command(BaseCommand):
    help = (
        "Export a study's CRF data (visits, items and stored scores, typed and labelled) to --out. "
        "De-identified by default: pseudonyms instead of study IDs, dates shifted per participant, no free text; "
        "--identified keeps study IDs and real dates. Arms are exported only for an open (unblinded) study. "
        "Recorded in the audit trail (path 'command') like an export from the page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="the study's code")
        parser.add_argument("--format", required=True, choices=DataExport.Format.values)
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--deidentify", action="store_true", help="the default: pseudonyms and shifted dates")
        mode.add_argument("--identified", action="store_true", help="study IDs and real dates")
        parser.add_argument("--free-text", action="store_true", help="include free-text answers")
        parser.add_argument("--site", action="append", default=[], help="a site code (repeat for several)")
        parser.add_argument("--visit", action="append", default=[], help="a visit code (repeat for several)")
        parser.add_argument("--instrument", action="append", default=[], help="an instrument code (repeatable)")
        parser.add_argument("--out", required=True, type=Path, help="the file to write")

    def handle(self, *args, study, format, identified, free_text, site, visit, instrument, out, **options):
        found = Study.objects.filter(code=study).first()
        if found is None:
            raise CommandError(f"No study with code {study!r}.")
        unknown = set(site) - set(found.sites.values_list("code", flat=True))
        if unknown:
            raise CommandError(f"Study {study!r} has no site {', '.join(sorted(unknown))}.")
        if not out.parent.is_dir():
            raise CommandError(f"The folder of --out does not exist: {out.parent}")
        choice = Choice(tuple(site), tuple(visit), tuple(instrument))
        export = command_export(
            study=found, format=format, choice=choice, deidentified=not identified, free_text=free_text, out=out
        )
        if export.status != DataExport.Status.DONE:
            raise CommandError(f"Export #{export.pk} failed: {export.error}")
        self.stdout.write(
            f"{out}: {export.rows} rows, {export.columns} columns, {export.participants} participants, "
            f"sha256 {export.sha256}"
        )
