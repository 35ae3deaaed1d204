"""manage.py load_protocol FILE [FILE...] [--instruments FILE...]: load protocol files through
workflows.services.protocol_apply; with --instruments, the study's own definitions and its protocol in one step
(workflows.study_setup.protocol_with_instruments_apply)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent
from instruments.uploads import InstrumentFile, parse_languages
from studies.protocol import ProtocolError
from workflows.study_setup import protocol_with_instruments_apply


def read_instrument_files(names, stderr) -> list[InstrumentFile]:
    """The files as text; a file that cannot be read stops the command before anything is checked."""
    files, unreadable = [], 0
    for name in names:
        try:
            files.append(InstrumentFile(Path(name).name, Path(name).read_text(encoding="utf-8-sig")))
        except (OSError, UnicodeDecodeError) as exc:
            stderr.write(f"{name}: cannot read the file: {exc}")
            unreadable += 1
    if unreadable:
        raise CommandError(f"{unreadable} file(s) cannot be read; nothing was stored")
    return files


class Command(BaseCommand):
    help = "Load study protocol files (YAML): create the study, record an amendment, or report every problem."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="protocol files, e.g. protocols/lbpb.yaml")
        parser.add_argument(
            "--instruments",
            nargs="+",
            default=[],
            help="the study's own definitions (.yaml or REDCap .csv), stored with the protocol in one transaction",
        )
        parser.add_argument("--languages", help="label languages of --instruments: en, zh-Hans or en,zh-Hans")

    def handle(self, *args, files, instruments=(), languages=None, **options):
        if instruments and len(files) != 1:
            raise CommandError("--instruments goes with one protocol file")
        try:
            wanted = parse_languages(languages) if languages else None
        except ValueError as error:
            raise CommandError(str(error)) from None
        definitions = read_instrument_files(instruments, self.stderr)
        failed = 0
        for name in files:
            failed += not self._load(Path(name), definitions, wanted)
        if failed:
            raise CommandError(f"{failed} of {len(files)} file(s) not loaded; nothing was written for them")

    def _load(self, path: Path, definitions, languages) -> bool:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            self.stderr.write(f"{path}: cannot read the file: {exc}")
            return False
        try:
            result, stored = protocol_with_instruments_apply(
                text=text,
                filename=path.name,
                instrument_files=definitions,
                languages=languages,
                path=AuditEvent.Path.COMMAND,
            )
        except ProtocolError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            return False
        for row in stored.stored if stored else ():
            self.stdout.write(f"{row.study_code}: stored instrument {row.code} {row.version}")
        self.stdout.write(f"{path.name}: {result.status} {result.study} version {result.version.version}")
        for change in result.changes if result.status != "unchanged" else ():
            self.stdout.write(f"  {change}")
        return True
