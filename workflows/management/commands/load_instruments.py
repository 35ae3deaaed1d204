"""manage.py load_instruments FILE... --study CODE [--languages en,zh-Hans]: a study's own instrument definitions."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent
from instruments.definitions import DefinitionError
from instruments.uploads import parse_languages
from workflows.study_setup import study_instruments_apply

from .load_protocol import read_instrument_files


class Command(BaseCommand):
    help = (
        "Load a study's own instrument definitions (our YAML, or a REDCap data dictionary CSV); every file is "
        "checked first and nothing is stored when any has a problem. The study's protocol need not exist yet."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="definition files (.yaml) or REDCap data dictionaries (.csv)")
        parser.add_argument("--study", required=True, help="the study's code")
        parser.add_argument(
            "--languages", help="label languages required: en, zh-Hans or en,zh-Hans (default: the study's, else both)"
        )

    def handle(self, *args, files, study, languages=None, **options):
        try:
            wanted = parse_languages(languages) if languages else None
        except ValueError as error:
            raise CommandError(str(error)) from None
        loaded = read_instrument_files(files, self.stderr)
        try:
            result = study_instruments_apply(
                study_code=study.lower(), files=loaded, languages=wanted, path=AuditEvent.Path.COMMAND
            )
        except DefinitionError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(error.problems)} problem(s): nothing was stored") from None
        for row in result.stored:
            self.stdout.write(f"{row.study_code}: stored {row.code} {row.version} ({Path(row.upload.file_name).name})")
        for code, version in result.unchanged:
            self.stdout.write(f"{study}: {code} {version} unchanged (already stored)")
