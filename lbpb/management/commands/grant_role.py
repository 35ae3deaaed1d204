"""manage.py grant_role --study CODE --username U --role ROLE (--sites 01,02 | --all-sites).

Gives a user one role in a study at some of its sites or all of them; a user holds one role per
study, so this replaces an earlier one. With --create (and --email) a missing user is created, its
password read from $DJANGO_USER_PASSWORD or typed twice. All or nothing; every change is audited.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Role, User
from lbpb.management.first_run import password_or_error, sites_or_error, study_or_error, validation_error
from lbpb.services import study_role_grant, user_upsert


class Command(BaseCommand):
    help = "Give a user a role in a study, at some sites (--sites 01,02) or all of them (--all-sites)."

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="the study's code, as in its protocol file")
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--sites", help="comma-separated site codes of the study, e.g. 01,02")
        where.add_argument("--all-sites", action="store_true", help="every site, including ones added later")
        parser.add_argument("--create", action="store_true", help="create the user if it does not exist")
        parser.add_argument("--email", default="", help="the e-mail of a user created with --create")
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="never prompt (needs $DJANGO_USER_PASSWORD)"
        )

    def handle(self, *args, study, username, role, sites, all_sites, create, email, interactive, **options):
        study = study_or_error(study)
        site_list = [] if all_sites else sites_or_error(study, sites)
        password = None
        if not User.objects.filter(username=username).exists():
            if not create:
                raise CommandError(f"No user {username!r}: add --create --email ADDRESS to create it")
            password = password_or_error(interactive=interactive)
        try:
            with transaction.atomic():
                user, created = (
                    user_upsert(username=username, email=email, password=password)
                    if password
                    else (User.objects.get(username=username), False)
                )
                study_role_grant(user=user, study=study, role=role, sites=site_list, all_sites=all_sites)
        except ValidationError as exc:
            raise validation_error(exc) from exc
        where = "all sites" if all_sites else "site(s) " + ", ".join(site.code for site in site_list)
        label = Role(role).label
        self.stdout.write(
            self.style.SUCCESS(f"{'Created ' if created else ''}{username}: {label} of {study.code} at {where}.")
        )
