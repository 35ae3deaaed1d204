"""manage.py load_protocol FILE [FILE...]: load protocol files through workflows.services.protocol_apply."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent
from studies.protocol import ProtocolError
from workflows.services import protocol_apply


class Command(BaseCommand):
    help = "Load study protocol files (YAML): create the study, record an amendment, or report every problem."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="protocol files, e.g. protocols/lbpb.yaml")

    def handle(self, *args, files, **options):
        failed = 0
        for name in files:
            path = Path(name)
            try:
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                self.stderr.write(f"{name}: cannot read the file: {exc}")
                failed += 1
                continue
            try:
                result = protocol_apply(text=text, filename=path.name, path=AuditEvent.Path.COMMAND)
            except ProtocolError as exc:
                for problem in exc.problems:
                    self.stderr.write(str(problem))
                failed += 1
                continue
            self.stdout.write(f"{path.name}: {result.status} {result.study} version {result.version.version}")
            for change in result.changes if result.status != "unchanged" else ():
                self.stdout.write(f"  {change}")
        if failed:
            raise CommandError(f"{failed} of {len(files)} file(s) not loaded; nothing was written for them")
