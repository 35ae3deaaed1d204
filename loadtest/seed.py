"""The load run's users and work lists, written into the generated study (runs in a Django process of the stack).

``users_create`` gives the study ``coordinators`` coordinators (alternately at site 01 and 02), ``monitors`` monitors
at every site, one PI and one data manager at every site, through the services ``manage.py grant_role`` calls.
Those two roles need two-factor log-in (the production default, DJANGO_REQUIRE_2FA=1, stays on): each gets a
confirmed TOTP device whose key the locustfile knows, and logs in through the real token step. ``worklist``
writes, per site, the participants whose casebook is not locked (the coordinators' patients) and the queries still
open: the locustfile reads it so each simulated user starts where a real one would, then follows the pages' links.
"""

from __future__ import annotations

import json
import sys

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from lbpb.services import study_role_grant, user_upsert
from participants.models import Lock, Participant
from queries.models import Query
from studies.models import Study

from .stack import PASSWORD

TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key, hex (throw-away database only)


def users_create(*, study: Study, coordinators: int, monitors: int) -> dict[str, list[str]]:
    sites = list(study.sites.order_by("code"))
    made: dict[str, list[str]] = {"coordinator": [], "monitor": [], "pi": [], "data_manager": []}
    with transaction.atomic():
        for number in range(coordinators):
            site = sites[number % len(sites)]
            name = f"coord{number:03d}"
            user, _ = user_upsert(username=name, email=f"{name}@example.org", password=PASSWORD)
            study_role_grant(user=user, study=study, role=Role.COORDINATOR, sites=[site])
            made["coordinator"].append(f"{name}:{site.code}")
        for number in range(monitors):
            name = f"monitor{number:02d}"
            user, _ = user_upsert(username=name, email=f"{name}@example.org", password=PASSWORD)
            study_role_grant(user=user, study=study, role=Role.MONITOR, all_sites=True)
            made["monitor"].append(name)
        for name, role in (("loadpi", Role.PI), ("loaddm", Role.DATA_MANAGER)):
            user, _ = user_upsert(username=name, email=f"{name}@example.org", password=PASSWORD)
            study_role_grant(user=user, study=study, role=role, all_sites=True)
            TOTPDevice.objects.filter(user=user).delete()
            TOTPDevice.objects.create(user=user, name="default", key=TOTP_KEY, confirmed=True)
            made[role].append(name)
    return made


def worklist(study: Study) -> dict[str, dict[str, list[int]]]:
    lists: dict[str, dict[str, list[int]]] = {}
    for site in study.sites.order_by("code"):
        locked = Lock.objects.filter(participant__study=study, unlocked_at__isnull=True).values("participant")
        participants = (
            Participant.objects.filter(study=study, site=site, status=Participant.Status.ENROLLED)
            .exclude(pk__in=locked)
            .values_list("pk", flat=True)
        )
        queries = Query.objects.filter(study=study, site=site, status__in=[Query.Status.OPEN, Query.Status.REOPENED])
        lists[site.code] = {
            "participants": sorted(participants),
            "queries": sorted(queries.values_list("pk", flat=True)),
        }
    return lists


def main(argv: list[str]) -> None:
    code, coordinators, monitors = argv[0], int(argv[1]), int(argv[2])
    study = Study.objects.get(code=code)
    users = users_create(study=study, coordinators=coordinators, monitors=monitors)
    print(json.dumps({"study": code, "users": users, "sites": worklist(study), "totp_key": TOTP_KEY}))


if __name__ == "__main__":
    main(sys.argv[1:])
