"""Evaluate the protocol's data-quality rules now (what the nightly batch does), for one study or all."""

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent
from queries.services import quality_rules_evaluate, quality_rules_evaluate_all
from studies.models import Study


class Command(BaseCommand):
    help = "Open, reopen and auto-close data queries from the data-quality rules of the current protocols."

    def add_arguments(self, parser):
        parser.add_argument("--study", help="study code (default: every active study)")

    def handle(self, *args, study=None, **options):
        if study:
            try:
                row = Study.objects.get(code=study)
            except Study.DoesNotExist:
                raise CommandError(f"no study {study!r}") from None
            results = {row.code: quality_rules_evaluate(study=row, path=AuditEvent.Path.COMMAND)}
        else:
            results = quality_rules_evaluate_all(path=AuditEvent.Path.COMMAND)
        for code, counts in results.items():
            self.stdout.write(f"{code}: " + ", ".join(f"{key} {value}" for key, value in counts.items()))
