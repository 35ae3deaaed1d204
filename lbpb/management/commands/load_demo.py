"""Load the demo: the LBPB and ADMSC protocols, one user per role and LBPB demo participants.

No study user is a Django superuser (the demo ``admin`` holds the product's Admin role, as
``create_study_admin`` gives it); the Django admin (/admin/) has its own user, ``operator``: staff and
superuser, member of no study, so it sees no arm there either.

Everything goes through the same services as the pages, so the demo data has
schedules, consents and identifiers like real data. Idempotent: running it
again adds nothing and prints the same logins.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import membership_grant, user_create
from audit.models import AuditEvent
from lbpb.services import user_update
from participants import services as participant_services
from participants.models import Participant
from studies.models import Study
from studies.protocol import Protocol
from studies.selectors import current_protocol
from workflows.services import protocol_apply

DEMO_PASSWORD = "lumbar-Demo-2026"
COMMAND = AuditEvent.Path.COMMAND  # the audit path of everything the demo writes
PROTOCOLS = ["lbpb.yaml", "admsc_dlbp.yaml"]

# username, role, site code ("*" = all sites)
DEMO_USERS = [
    ("admin", Role.ADMIN, "*"),
    ("datamanager", Role.DATA_MANAGER, "*"),
    ("pi", Role.PI, "*"),
    ("coordinator", Role.COORDINATOR, "01"),
    ("monitor", Role.MONITOR, "*"),
    ("statistician", Role.UNBLINDED_STATISTICIAN, "*"),
]
OPERATOR = "operator"  # the Django admin's user: staff and superuser, no study role

# (name, age, site, treatment start offset from enrolment in days, arm); age 85 fails screening.
DEMO_PEOPLE = [
    ("张伟", 45, "01", 14, "non_surgical"),
    ("王芳", 38, "01", 10, "non_surgical"),
    ("李娜", 62, "01", 7, "surgical"),
    ("刘洋", 29, "01", None, None),
    ("陈静", 51, "02", 12, "non_surgical"),
    ("杨磊", 85, "01", None, None),
]


class Command(BaseCommand):
    help = "Load the LBPB and ADMSC demo studies, demo users (one per role) and LBPB demo participants."

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            for name in PROTOCOLS:
                path = Path(settings.BASE_DIR) / "protocols" / name
                result = protocol_apply(text=path.read_text(encoding="utf-8"), filename=name, path=COMMAND)
                self.stdout.write(f"{name}: {result.status}")
            studies = list(Study.objects.filter(code__in=["lbpb", "admsc"]))
            users = self._users(studies)
            lbpb = Study.objects.get(code="lbpb")
            if not Participant.objects.filter(study=lbpb).exists():
                self._participants(lbpb, users["coordinator"], users["pi"])
        self.stdout.write(self.style.SUCCESS("Demo loaded. Log in at http://127.0.0.1:8000/ with:"))
        for username, role, site_code in DEMO_USERS:
            where = "all sites" if site_code == "*" else f"site {site_code}"
            self.stdout.write(f"  {username:<14} {DEMO_PASSWORD}   ({role.label}, {where})")
        self.stdout.write(f"  {OPERATOR:<14} {DEMO_PASSWORD}   (Django admin at /admin/ only, no study role)")

    def _users(self, studies: list[Study]) -> dict[str, User]:
        users: dict[str, User] = {}
        _demo_user(OPERATOR, operator=True)
        for username, role, site_code in DEMO_USERS:
            user = _demo_user(username, operator=False)
            for study in studies:
                sites = list(study.sites.all()) if site_code == "*" else list(study.sites.filter(code=site_code))
                membership_grant(user=user, study=study, role=role, sites=sites, all_sites=site_code == "*")
            users[username] = user
        return users

    def _participants(self, study: Study, coordinator: User, pi: User) -> None:
        protocol = current_protocol(study)
        today = timezone.localdate()
        for number, (name, age, site_code, treatment_after, arm) in enumerate(DEMO_PEOPLE):
            user = coordinator if site_code == "01" else pi
            screened_on = today - datetime.timedelta(days=70 - 9 * number)
            participant = participant_services.participant_screen(
                study=study,
                site=study.sites.get(code=site_code),
                user=user,
                screened_on=screened_on,
                full_name=name,
                answers=_answers(protocol, age),
                phone=f"1380000{number:04d}",
                path=COMMAND,
            )
            if participant.status != Participant.Status.SCREENING:
                continue
            participant_services.participant_consent(
                participant=participant,
                user=user,
                form_version="1.0",
                consented_on=screened_on,
                path=COMMAND,
            )
            enrolled_on = screened_on + datetime.timedelta(days=7)
            participant = participant_services.participant_enrol(
                participant=participant, user=user, enrolled_on=enrolled_on, path=COMMAND
            )
            if arm:
                participant_services.participant_assign_arm(
                    participant=participant, arm_code=arm, user=user, path=COMMAND
                )
            if treatment_after is not None and enrolled_on + datetime.timedelta(days=treatment_after) <= today:
                participant_services.anchor_set(
                    participant=participant,
                    anchor_code="treatment_start",
                    date=enrolled_on + datetime.timedelta(days=treatment_after),
                    user=user,
                    path=COMMAND,
                )
            if number < 2:  # two participants attend on time; the others show overdue visits
                _attend_past_visits(participant, user, today)


def _demo_user(username: str, *, operator: bool) -> User:
    """The demo user ``username``; only the operator is staff and superuser (an older demo's admin is demoted)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(username=username, password=DEMO_PASSWORD, display_name=username.title())
    if (user.is_staff, user.is_superuser) != (operator, operator):
        user.is_staff = user.is_superuser = operator
        user_update(user=user, actor=None, path=COMMAND)
    return user


def _attend_past_visits(participant: Participant, user: User, today: datetime.date) -> None:
    for visit in participant.visits.filter(cancelled=False, completed_on=None, missed=False, target_date__lt=today):
        participant_services.visit_complete(
            visit=visit, completed_on=visit.target_date, user=user, path=COMMAND, require_forms=False
        )


def _answers(protocol: Protocol, age: int) -> dict[str, int | bool]:
    """Screening answers for a demo person: every unruled criterion met / not applying, and the age."""
    answers: dict[str, int | bool] = {"age": age}
    for criterion in protocol.eligibility.inclusion:
        if criterion.rule is None:
            answers[criterion.code] = True
    for criterion in protocol.eligibility.exclusion:
        if criterion.rule is None:
            answers[criterion.code] = False
    return answers
