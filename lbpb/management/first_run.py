"""What create_study_admin and grant_role share: finding the study and sites, reading a password safely."""

import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from studies.models import Study

PASSWORD_ENV = "DJANGO_USER_PASSWORD"


def study_or_error(code: str) -> Study:
    study = Study.objects.filter(code=code).first()
    if study is None:
        known = ", ".join(Study.objects.order_by("code").values_list("code", flat=True)) or "none yet"
        raise CommandError(
            f"No study {code!r} (loaded studies: {known}). Load its protocol first: manage.py load_protocol FILE"
        )
    return study


def sites_or_error(study: Study, codes: str) -> list:
    wanted = [code.strip() for code in codes.split(",") if code.strip()]
    if not wanted:
        raise CommandError("--sites needs at least one site code, e.g. --sites 01,02")
    sites = list(study.sites.filter(code__in=wanted))
    missing = sorted(set(wanted) - {site.code for site in sites})
    if missing:
        known = ", ".join(study.sites.order_by("code").values_list("code", flat=True))
        raise CommandError(f"Study {study.code!r} has no site {', '.join(missing)} (its sites: {known})")
    return sites


def password_or_error(*, interactive: bool, stdin=None) -> str:
    """The new password: from $DJANGO_USER_PASSWORD, else typed twice at a terminal (never an argument,
    which would land in the shell history and the process list)."""
    password = os.environ.get(PASSWORD_ENV, "")
    if password:
        return password
    stdin = stdin or sys.stdin
    if not interactive or not (hasattr(stdin, "isatty") and stdin.isatty()):
        raise CommandError(f"A password is needed: set {PASSWORD_ENV} or run the command at a terminal")
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Password (again): "):
        raise CommandError("The two passwords differ; nothing was changed")
    if not password:
        raise CommandError("The password is empty; nothing was changed")
    return password


def validation_error(exc: ValidationError) -> CommandError:
    return CommandError("Nothing was changed: " + " ".join(exc.messages))
