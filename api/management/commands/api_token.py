"""Print a new API token for a user in a study (their previous token there is revoked): for scripts and tests."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from audit.models import AuditEvent
from studies.selectors import study_by_code

from ...services import NotAMember, token_create


class Command(BaseCommand):
    help = "Print a new 32-hex API token of USER in study CODE (the old one is revoked)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True)
        parser.add_argument("--study", required=True)

    def handle(self, *args, user, study, **options):
        owner = User.objects.filter(username=user, is_active=True).first()
        if owner is None:
            raise CommandError(f"No active user {user!r}.")
        found = study_by_code(study)
        if found is None:
            raise CommandError(f"No study {study!r}.")
        try:
            new = token_create(user=owner, study=found, by=None, path=AuditEvent.Path.COMMAND)
        except NotAMember as error:
            raise CommandError(str(error)) from None
        self.stdout.write(new.key)
