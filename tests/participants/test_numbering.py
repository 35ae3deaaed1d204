"""Study IDs and screening numbers come from a per-site counter row, not a scan of every number given: a site's
first number starts after those already there, and a number given without the counter is skipped."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import membership_grant
from participants.models import Participant, SiteCounter

from .conftest import enrol


def _given(lbpb, number: int) -> Participant:
    """A participant numbered outside the services (as generate_study and imports write them)."""
    return Participant.objects.create(
        study=lbpb.study,
        site=lbpb.site_1,
        identifier=f"LBPB-01-{number:04d}",
        screening_number=f"S-01-{number:04d}",
        status=Participant.Status.ENROLLED,
    )


def test_the_first_number_of_a_site_follows_those_already_given_and_the_counter_keeps_the_last(lbpb):
    for number in range(1, 6):
        _given(lbpb, number)
    participant = enrol(lbpb)
    assert (participant.identifier, participant.screening_number) == ("LBPB-01-0006", "S-01-0006")
    counters = dict(SiteCounter.objects.filter(site=lbpb.site_1).values_list("kind", "last"))
    assert counters == {"identifier": 6, "screening_number": 6}
    membership_grant(user=lbpb.coordinator, study=lbpb.study, role="coordinator", all_sites=True)
    assert enrol(lbpb, site=lbpb.site_2).identifier == "LBPB-02-0001"  # each site counts on its own


def test_a_number_given_without_the_counter_is_skipped(lbpb):
    assert enrol(lbpb).identifier == "LBPB-01-0001"
    _given(lbpb, 2)
    assert enrol(lbpb).identifier == "LBPB-01-0003"
    assert SiteCounter.objects.get(site=lbpb.site_1, kind="identifier").last == 3


def test_numbering_reads_one_counter_row_whatever_the_numbers_given(lbpb):
    enrol(lbpb)

    def queries_of_one_enrolment() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            enrol(lbpb)
        return [q["sql"] for q in queries.captured_queries]

    few = queries_of_one_enrolment()
    for number in range(100, 140):  # numbers far above the counter: nothing to skip
        _given(lbpb, number)
    many = queries_of_one_enrolment()
    assert len(many) == len(few)
    column = '"participants_participant"."{}" FROM'
    scans = [sql for sql in many if column.format("identifier") in sql or column.format("screening_number") in sql]
    assert scans == []  # no read of every number given: one counter row and indexed look-ups
