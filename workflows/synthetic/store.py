"""Write a synthetic study: courses planned in memory, inserted in batches, one audit event per batch.

Generated data is not real data, so it is not audited row by row: each batch is one transaction holding its
rows and one audit event (path "command", object type ``synthetic.batch``) whose changes are the row counts
per table and whose reason says the data are synthetic. That event is also how ``--replace`` recognises
generated participants: a study with generation batches whose participants have no audit event of their own.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record
from instruments.models import Response, ResponseRevision
from monitoring.models import Signature
from monitoring.selectors import casebook_hash
from monitoring.services import MEANINGS
from participants.models import Lock, Participant, Visit
from participants.services.screening import screening_number
from queries.models import Query, QueryMessage
from studies.protocol import Protocol, participant_id

from . import acquisitions as A
from . import rows as R
from .allocation import Allocator
from .answers import FormPool
from .bulk import insert_rows
from .course import RECRUITMENT_DAYS, SCREEN_FAILURE, Course, SyntheticError, enter_anchors, person, schedule, withdraw
from .replace import BATCH_TYPE

USERNAME = "synthetic-data"
REASON = "Synthetic data written by manage.py generate_study (seed %s): not real data / 合成数据（种子 %s），非真实数据"
LOCKED = 0.4  # of the casebooks that are finished
SIGNED = 0.7  # of the locked casebooks


@dataclass
class Outcome:
    counts: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)
    batches: int = 0


def synthetic_user() -> User:
    """The account generated rows are entered by: inactive, with no usable password."""
    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = User(username=USERNAME, display_name="Synthetic data / 合成数据", is_active=False)
        user.set_unusable_password()
        user.save()
        audit_record(user=None, action=AuditEvent.Action.CREATE, instance=user, path=AuditEvent.Path.COMMAND)
    return user


def recruitment(protocol: Protocol, today: date) -> tuple[date, date]:
    start = protocol.study.protocol_date + timedelta(days=30)
    end = min(start + timedelta(days=RECRUITMENT_DAYS), today - timedelta(days=1))
    if end < start:
        raise SyntheticError(_("The protocol date is too recent: no time to recruit before today."))
    return start, end


def plan(protocol: Protocol, *, seed: int, count: int, today: date, allocator: Allocator) -> list[Course]:
    """Enough people screened, in order of screening day, for ``count`` enrolments."""
    start, end = recruitment(protocol, today)
    expected = round(count / (1 - SCREEN_FAILURE)) + 1
    sites = [site.code for site in protocol.sites]
    weights = [3] + [1] * (len(sites) - 1)
    courses: list[Course] = []
    enrolled = 0
    while enrolled < count:
        index = len(courses)
        rng = random.Random(f"{seed}:person:{index}")
        day = start + timedelta(days=min(index, expected) * (end - start).days // expected)
        course = person(rng, protocol, index=index, site_code=rng.choices(sites, weights)[0], day=day)
        if course.eligible:
            enrolled += 1
            enter_anchors(rng, protocol, course, today)
            allocator.allocate(course, rng)
            withdraw(rng, course, today)
            schedule(rng, protocol, course, today)
        courses.append(course)
    return courses


@dataclass
class Numbering:
    """Screening numbers and study IDs per site, as the enrolment services number them."""

    protocol: Protocol
    screened: Counter = field(default_factory=Counter)
    enrolled: Counter = field(default_factory=Counter)

    def numbers(self, course: Course) -> tuple[str, str]:
        site = course.site_code
        self.screened[site] += 1
        if not course.eligible:
            return "", screening_number(site, self.screened[site])
        self.enrolled[site] += 1
        return participant_id(self.protocol, site, self.enrolled[site]), screening_number(site, self.screened[site])


def _finished(course: Course, today: date) -> bool:
    if not course.visits or course.enrolled_on is None:
        return False
    pending = [p for p in course.visits if p.completed_on is None and not p.missed and not p.cancelled]
    return not pending and (today - max(p.projected.target for p in course.visits)).days > 30


def _close_casebooks(batch, *, user, rng: random.Random, today: date, counts: Counter) -> None:
    """Lock some finished casebooks and have most of those signed over their real casebook hash."""
    locks, signatures = [], []
    for course, participant in zip(batch.courses, batch.participants, strict=True):
        if not _finished(course, today) or rng.random() >= LOCKED:
            continue
        locks.append(
            Lock(scope=Lock.Scope.PARTICIPANT, participant=participant, locked_by=user, locked_at=timezone.now())
        )
        if rng.random() < SIGNED:
            signatures.append(
                Signature(
                    participant=participant,
                    signer=user,
                    signed_at=timezone.now(),
                    meaning=Signature.Meaning.REVIEWED,
                    meaning_text=" / ".join(MEANINGS[Signature.Meaning.REVIEWED]),
                    content_hash=casebook_hash(participant),
                )
            )
    counts["participants.lock"] += len(Lock.objects.bulk_create(locks))
    counts["monitoring.signature"] += len(Signature.objects.bulk_create(signatures))


def _insert(table: str, model, objects: list, counts: Counter) -> list:
    created = model.objects.bulk_create(objects, batch_size=2000)
    counts[table] += len(created)
    return created


def _write_children(batch, *, user, pool: FormPool, version: str, counts: Counter, rng: random.Random) -> None:
    objects: dict[type, list] = {}
    visits: list[tuple] = []
    responses: list[R.Drafted] = []
    recordings: list[A.Recording] = []
    known: dict = {}  # instrument definitions by code and version
    now = timezone.now()
    for course, participant in zip(batch.courses, batch.participants, strict=True):
        rows = R.course_rows(course, participant, user=user, pool=pool, version=version, known=known, now=now)
        for model, items in rows.objects.items():
            objects.setdefault(model, []).extend(items)
        visits += rows.visits
        responses += rows.responses
        recordings += A.recordings(course, participant, seed=pool.seed)
    for model, items in objects.items():
        _insert(model._meta.label_lower, model, items, counts)
    visit_ids = insert_rows(Visit, R.VISIT_COLUMNS, visits)
    counts["participants.visit"] += len(visit_ids)
    by_visit = {(row[0], row[1], row[2]): pk for row, pk in zip(visits, visit_ids, strict=True)}
    A.write_recordings(
        recordings, visits=by_visit, study=batch.participants[0].study, user=user, now=now, counts=counts
    )
    ids = insert_rows(Response, R.RESPONSE_COLUMNS, R.response_rows(responses, user=user, now=now))
    counts["instruments.response"] += len(ids)
    revisions = R.revision_rows(responses, ids, user=user, now=now)
    counts["instruments.responserevision"] += len(insert_rows(ResponseRevision, R.REVISION_COLUMNS, revisions))
    threads = R.queries(responses, ids, rng=rng, user=user)
    _insert("queries.query", Query, [query for query, _thread in threads], counts)
    _insert("queries.querymessage", QueryMessage, [m for _query, thread in threads for m in thread], counts)


def write_batch(
    courses: list[Course], *, study, protocol, user, pool, numbering, allocator, number: int, seed: int, today
) -> Counter:
    """One transaction: the batch's participants and everything under them, and its one audit event."""
    counts: Counter = Counter()
    rng = random.Random(f"{seed}:batch:{number}")
    sites = {site.code: site for site in study.sites.all()}
    with transaction.atomic():
        batch = R.Batch(courses=courses)
        for course in courses:
            identifier, screening = numbering.numbers(course)
            row = R.participant_row(course, study=study, sites=sites, identifier=identifier, screening_number=screening)
            batch.participants.append(row)
        _insert("participants.participant", Participant, batch.participants, counts)
        _write_children(batch, user=user, pool=pool, version=protocol.study.protocol_version, counts=counts, rng=rng)
        counts["randomisation.allocationslot"] += allocator.record(batch.courses, batch.participants, user=user)
        _close_casebooks(batch, user=user, rng=rng, today=today, counts=counts)
        audit_record(
            user=None,
            action=AuditEvent.Action.IMPORT,
            object_type=BATCH_TYPE,
            object_id=f"{seed}:{number}",
            object_label=f"generate_study seed {seed} batch {number}",
            study=study,
            changes={table: [None, count] for table, count in sorted(counts.items())},
            reason=REASON % (seed, seed),
            path=AuditEvent.Path.COMMAND,
        )
    return counts


def write_study(study, protocol: Protocol, *, count: int, seed: int, today: date) -> Outcome:
    """Plan ``count`` enrolments and write them batch by batch."""
    user = synthetic_user()
    allocator = Allocator.for_study(study, protocol, user=user, count=count, seed=seed)
    courses = plan(protocol, seed=seed, count=count, today=today, allocator=allocator)
    pool, numbering, outcome = FormPool.for_seed(seed), Numbering(protocol), Outcome()
    size = settings.SYNTHETIC_BATCH_SIZE
    for number, start in enumerate(range(0, len(courses), size), start=1):
        outcome.counts += write_batch(
            courses[start : start + size],
            study=study,
            protocol=protocol,
            user=user,
            pool=pool,
            numbering=numbering,
            allocator=allocator,
            number=number,
            seed=seed,
            today=today,
        )
        outcome.batches = number
    return outcome
