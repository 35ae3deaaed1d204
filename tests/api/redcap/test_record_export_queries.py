"""A record export costs the same handful of queries for 2 or 12 participants (streamed, not one per record)."""

import json

import pytest

from tests.factories import ParticipantFactory
from tests.instruments.web.test_response_api import stored

from .conftest import post

pytestmark = pytest.mark.django_db


def _export(key: str) -> list:
    answer = post(key, content="record", format="json")
    return json.loads(b"".join(answer.streaming_content))


def test_the_record_export_does_not_grow_with_the_number_of_participants(
    alpha, make_persona, token_of, django_assert_max_num_queries
):
    pi = make_persona("pi", all_sites=True)
    key = token_of(pi, alpha.study)
    stored(alpha.participant_a, pi)
    stored(alpha.participant_b, pi)
    with django_assert_max_num_queries(20) as few:
        assert len(_export(key)) == 2
    for n in range(10):
        stored(ParticipantFactory(site=alpha.site_a, identifier=f"ALPHA-A-{n + 2:04d}"), pi)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(_export(key)) == 12
