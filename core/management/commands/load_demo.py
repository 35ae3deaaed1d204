"""Load the demo: the LBPB study, two sites, one user per role and demo participants.

Idempotent: running it again changes nothing and prints the same logins.
"""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Role, User
from accounts.services import membership_grant, user_create
from participants.models import Participant
from participants.services import participant_register
from studies.models import Site, Study

DEMO_PASSWORD = "lumbar-Demo-2026"

# username, role, sites ("*" = all sites), staff
DEMO_USERS = [
    ("admin", Role.ADMIN, "*", True),
    ("datamanager", Role.DATA_MANAGER, "*", False),
    ("pi", Role.PI, "*", False),
    ("coordinator", Role.COORDINATOR, "01", False),
    ("monitor", Role.MONITOR, "*", False),
    ("statistician", Role.UNBLINDED_STATISTICIAN, "*", False),
]


class Command(BaseCommand):
    help = "Load the LBPB demo study, demo users (one per role) and demo participants."

    @transaction.atomic
    def handle(self, *args, **options):
        study = self._study()
        sites = {site.code: site for site in study.sites.all()}
        for username, role, site_code, staff in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create(username=username, password=DEMO_PASSWORD, display_name=username.title())
            if staff and not user.is_superuser:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            chosen = list(sites.values()) if site_code == "*" else [sites[site_code]]
            membership_grant(user=user, study=study, role=role, sites=chosen, all_sites=site_code == "*")
        self._participants(study, sites)
        self.stdout.write(self.style.SUCCESS("Demo loaded. Log in at http://127.0.0.1:8000/ with:"))
        for username, role, site_code, _ in DEMO_USERS:
            where = "all sites" if site_code == "*" else f"site {site_code}"
            self.stdout.write(f"  {username:<14} {DEMO_PASSWORD}   ({role.label}, {where})")

    def _study(self) -> Study:
        study, _ = Study.objects.get_or_create(
            code="lbpb",
            defaults={
                "title": "Low Back Pain Biobank: a prospective multimodal cohort (NCT06967363)",
                "title_zh": "腰痛生物样本库：前瞻性多模态队列研究",
                "target_enrolment": 360,
            },
        )
        Site.objects.get_or_create(study=study, code="01", defaults={
            "name": "Peking University Third Hospital", "name_zh": "北京大学第三医院"})
        Site.objects.get_or_create(study=study, code="02", defaults={
            "name": "Demo partner hospital", "name_zh": "演示合作医院"})
        return study

    def _participants(self, study: Study, sites: dict) -> None:
        start = datetime.date(2026, 9, 1)
        for number in range(1, 13):
            site = sites["01"] if number <= 8 else sites["02"]
            study_id = f"LBPB-{site.code}-{number:04d}"
            if Participant.objects.filter(study=study, identifier=study_id).exists():
                continue
            participant_register(
                study=study, site=site, identifier=study_id, status=Participant.Status.ENROLLED,
                enrolled_on=start + datetime.timedelta(days=3 * number),
            )
