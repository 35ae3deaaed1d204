"""manage.py generate_study: a realistic synthetic study on a loaded protocol (see workflows.synthetic)."""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from workflows.synthetic import SyntheticError, study_generate


def _positive(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CommandError(f"--participants must be a whole number, not {text!r}") from None


class Command(BaseCommand):
    help = (
        "Generate a realistic synthetic study: screening, consent, enrolment over time across the sites, anchor "
        "dates, the projected visit schedule, every scheduled form of each attended visit (cleaned and scored by "
        "its definition), missed visits, withdrawals, data queries, locked and signed casebooks and, in a "
        "randomised study, allocations from its allocation list. Loads protocols/<study>.yaml when the study is "
        "missing. Deterministic for a seed. Generated data is not real data: it is written in bulk, one "
        "transaction and ONE audit event per batch (path 'command', the row counts per table), not one per row. "
        "Refuses a study that already has participants; --replace first deletes those an earlier run generated "
        "(and refuses if others remain)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="the study's code, e.g. lbpb or admsc")
        parser.add_argument("--participants", required=True, type=_positive, help="how many to enrol (N > 0)")
        parser.add_argument("--seed", type=int, default=1, help="seed of the generator (same seed, same data)")
        parser.add_argument("--replace", action="store_true", help="delete previously generated participants first")

    def handle(self, *args, study, participants, seed, replace, **options):
        started, cpu = time.monotonic(), time.process_time()
        try:
            result = study_generate(study_code=study, participants=participants, seed=seed, replace=replace)
        except (SyntheticError, ValidationError) as problem:
            raise CommandError(" ".join(getattr(problem, "messages", [str(problem)]))) from None
        if result.loaded:
            self.stdout.write(f"Loaded the protocol of {result.study.code}.")
        for table, count in sorted(result.outcome.removed.items()):
            self.stdout.write(f"removed {table}: {count}")
        for table, count in sorted(result.counts.items()):
            self.stdout.write(f"{table}: {count}")
        elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {participants} participants in {result.study.code} (seed {seed}, "
                f"{result.outcome.batches} batches, {cpu:.1f} s of CPU in this process) in {elapsed:.1f} s."
            )
        )
