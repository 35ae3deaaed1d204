"""Print a new API token for a user in a study (their previous token there is revoked): for scripts and tests.
With ``--super``, a 64-hex super token of a server administrator (REDCap's, for ``content=project``)."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from audit.models import AuditEvent
from studies.selectors import study_by_code

from ...services import NotAMember, NotAServerAdministrator, super_token_create, token_create


class Command(BaseCommand):
    help = (
        "Print a new 32-hex API token of USER in study CODE (the old one is revoked); with --super, a 64-hex "
        "super token of a server administrator, which may create studies through the REDCap API."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True)
        parser.add_argument("--study")
        parser.add_argument("--super", action="store_true", help="a super token (server administrators only)")

    def handle(self, *args, user, study, **options):
        owner = User.objects.filter(username=user, is_active=True).first()
        if owner is None:
            raise CommandError(f"No active user {user!r}.")
        if options["super"]:
            if study:
                raise CommandError("A super token belongs to no study: give --super or --study, not both.")
            try:
                self.stdout.write(super_token_create(user=owner, by=None, path=AuditEvent.Path.COMMAND).key)
            except NotAServerAdministrator as error:
                raise CommandError(str(error)) from None
            return
        if not study:
            raise CommandError("Give --study CODE (or --super for a super token).")
        found = study_by_code(study)
        if found is None:
            raise CommandError(f"No study {study!r}.")
        try:
            new = token_create(user=owner, study=found, by=None, path=AuditEvent.Path.COMMAND)
        except NotAMember as error:
            raise CommandError(str(error)) from None
        self.stdout.write(new.key)
