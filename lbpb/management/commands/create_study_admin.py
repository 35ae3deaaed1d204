"""manage.py create_study_admin --study CODE --username U --email E: a study's first administrator.

Creates the user (or updates its e-mail) and gives it the product's Admin role at every site of the
study. Not a Django superuser: the Admin role acts inside the product, on its pages and with its
audit trail. The password comes from $DJANGO_USER_PASSWORD or is typed twice at the terminal; an
existing user keeps its password unless --reset-password is given. All or nothing: an unknown study
or a refused password changes nothing.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Role, User
from lbpb.management.first_run import password_or_error, study_or_error, validation_error
from lbpb.services import study_role_grant, user_upsert


class Command(BaseCommand):
    help = (
        "Create or update a user and make it Admin (all sites) of a study. Password: $DJANGO_USER_PASSWORD or prompt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="the study's code, as in its protocol file")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--reset-password", action="store_true", help="set a new password for an existing user too")
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="never prompt (needs $DJANGO_USER_PASSWORD)"
        )

    def handle(self, *args, study, username, email, reset_password, interactive, **options):
        study = study_or_error(study)
        exists = User.objects.filter(username=username).exists()
        password = password_or_error(interactive=interactive) if reset_password or not exists else None
        try:
            with transaction.atomic():
                user, created = user_upsert(username=username, email=email, password=password)
                study_role_grant(user=user, study=study, role=Role.ADMIN, all_sites=True)
        except ValidationError as exc:
            raise validation_error(exc) from exc
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {username}: Admin of {study.code} at all sites."))
