"""Reads for queries, always starting from the participants the user may see."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from core.i18n import in_viewer_language
from participants.selectors import participants_for_user

from .models import Query
from .rules import RESPONSE

OPEN_STATUSES = (Query.Status.OPEN, Query.Status.ANSWERED, Query.Status.REOPENED)


def queries_for_user(user) -> QuerySet[Query]:
    """Every query on a participant ``user`` may see (their studies, limited to their sites)."""
    return Query.objects.filter(participant__in=participants_for_user(user)).select_related(
        "study", "site", "participant", "raised_by"
    )


def query_list(
    user, *, study, status: str = "", site_code: str = "", origin: str = "", participant: str = ""
) -> QuerySet[Query]:
    queries = queries_for_user(user).filter(study=study)
    if status == "unresolved":
        queries = queries.filter(status__in=OPEN_STATUSES)
    elif status:
        queries = queries.filter(status=status)
    if site_code:
        queries = queries.filter(site__code=site_code)
    if origin:
        queries = queries.filter(origin=origin)
    if participant:
        queries = queries.filter(participant__identifier__icontains=participant.strip())
    return queries.order_by("-raised_at", "-pk")


def counts_per_site(user, *, study) -> list[dict]:
    """Per site the user may see: number of queries in each status (one query)."""
    aggregates = {status: Count("pk", filter=Q(status=status)) for status in Query.Status.values}
    rows = (
        queries_for_user(user)
        .filter(study=study)
        .order_by()
        .values("site__code", "site__name", "site__name_zh")
        .annotate(**aggregates, total=Count("pk"))
        .order_by("site__code")
    )
    return [
        dict(
            row,
            unresolved=sum(row[s] for s in OPEN_STATUSES),
            site_name=in_viewer_language(row["site__name"], row["site__name_zh"]),
        )
        for row in rows
    ]


def open_counts(user, *, study) -> list[dict]:
    """Unresolved queries per site (the study page's small table)."""
    return [row for row in counts_per_site(user, study=study) if row["unresolved"]]


def participant_queries(participant) -> QuerySet[Query]:
    """A participant's queries (``participant`` comes from participants.access.participant_for_user)."""
    return Query.objects.filter(participant=participant).select_related("raised_by").order_by("-raised_at", "-pk")


def target_queries(*, participant, visit_code: str, activity_key: str) -> QuerySet[Query]:
    return participant_queries(participant).filter(visit_code=visit_code, activity_key=activity_key)


def open_counts_by_item(*, participant, visit_code: str, activity_key: str) -> dict[str, int]:
    """Unresolved queries on one form, per field code ("" for queries on the whole form), for the CRF's marks."""
    rows = (
        Query.objects.filter(
            participant=participant, visit_code=visit_code, activity_key=activity_key, status__in=OPEN_STATUSES
        )
        .order_by()
        .values("item_code")
        .annotate(n=Count("pk"))
    )
    return {row["item_code"]: row["n"] for row in rows}


def confirmed_checks(response) -> set[str]:
    """The plausibility warnings already confirmed on ``response`` (each opened a query): not asked again."""
    if response is None:
        return set()
    return set(
        Query.objects.filter(
            participant_id=response.participant_id,
            origin=Query.Origin.OVERRIDE,
            object_type=RESPONSE,
            object_id=str(response.pk),
        ).values_list("rule_code", flat=True)
    )


def query_thread(query: Query):
    return query.messages.select_related("author").order_by("at", "pk")


def participant_data(participant, protocol):
    """Everything the quality rules read about ``participant`` (queries.rules.ParticipantData)."""
    from instruments.models import Response
    from participants.models import Consent, Visit

    from .rules import ParticipantData, ResponseData, VisitData

    responses = [
        ResponseData(*row)
        for row in Response.objects.filter(participant=participant).values_list(
            "pk", "visit_code", "activity_key", "instrument_code", "instance", "status", "values", "scores"
        )
    ]
    visits = [
        VisitData(*row)
        for row in Visit.objects.filter(participant=participant, cancelled=False).values_list(
            "pk", "visit_code", "completed_on"
        )
    ]
    consent = (
        Consent.objects.filter(participant=participant)
        .order_by("consented_on")
        .values_list("consented_on", flat=True)
        .first()
    )
    return ParticipantData(
        responses=responses, visits=visits, consent_date=consent, visit_order=tuple(v.code for v in protocol.visits)
    )
