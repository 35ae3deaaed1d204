"""manage.py ingest PATH --study CODE --user NAME [--participant ID --visit CODE] [--kind KIND]

Every file under PATH (zips member by member) becomes one ingest job, through the same services as the upload
page. Without a broker the jobs run here; with one they are queued for the workers.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from imaging.access import may_upload
from imaging.models import IngestJob, Kind
from imaging.services import folder_receive, ingest_target
from studies.selectors import studies_for_user


class Command(BaseCommand):
    help = "Ingest acquisition files (DICOM, EDF) from a folder, a zip or a single file."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--study", required=True, help="study code")
        parser.add_argument("--user", required=True, help="user name recorded as the uploader (needs an upload role)")
        parser.add_argument("--participant", help="study ID of the participant (else: from each file's patient ID)")
        parser.add_argument("--visit", help="visit code (with --participant)")
        parser.add_argument("--kind", choices=[kind.value for kind in Kind], default="")

    def handle(self, *args, path, study, user, participant=None, visit=None, kind="", **options):
        root = Path(path)
        if not root.exists():
            raise CommandError(f"{root} does not exist")
        uploader = User.objects.filter(username=user, is_active=True).first()
        if uploader is None:
            raise CommandError(f"no active user {user}")
        study_row = studies_for_user(uploader).filter(code=study).first()
        if study_row is None or not may_upload(uploader, study_row):
            raise CommandError(f"{user} may not upload to study {study}")
        target, visit_row = self._target(uploader, study_row, participant, visit)
        try:
            jobs = folder_receive(
                study=study_row, user=uploader, root=root, participant=target, visit=visit_row, kind=kind
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self._report(jobs)

    def _target(self, user, study, identifier, visit_code):
        if not identifier:
            if visit_code:
                raise CommandError("--visit needs --participant")
            return None, None
        try:
            return ingest_target(study=study, identifier=identifier, visit_code=visit_code, user=user)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error

    def _report(self, jobs):
        rows = IngestJob.objects.filter(pk__in=[job.pk for job in jobs]).order_by("pk")
        counts = {status: 0 for status in IngestJob.Status.values}
        for job in rows:
            counts[job.status] += 1
            if job.status == IngestJob.Status.FAILED:
                self.stderr.write(f"{job.original_name}: {job.error}")
        summary = ", ".join(f"{count} {status}" for status, count in counts.items() if count)
        self.stdout.write(f"{len(jobs)} files: {summary}")
