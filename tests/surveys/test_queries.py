"""The survey overview and a form page cost a fixed number of queries, however many forms the visit has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys import services
from surveys.selectors import survey_pages
from tests.participants.conftest import load_protocol

from .conftest import enrol_one, survey_protocol, visit_of

MANY = "[phq9, gad7, sleep_diary, hamd, bpi, pcs, odi, isi, psqi, ucla, psq, ssd12, cphs, pseq, csi]"


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_the_overview_and_a_page_do_not_grow_with_the_number_of_forms(client, srv, django_assert_max_num_queries):
    participant = enrol_one(srv)
    link, token = services.survey_link_create(
        participant=participant, visit=visit_of(participant), user=srv.coordinator, language="en"
    )
    home = reverse("surveys:survey-home", kwargs={"token": token})
    form = reverse("surveys:survey-page", kwargs={"token": token, "activity_key": "phq9"})
    client.get(form)  # the first look starts the page's timing row
    few = (_queries(client, home), _queries(client, form))
    many_text = survey_protocol().replace("[phq9, gad7, sleep_diary, hamd]", MANY)
    assert many_text != survey_protocol()
    load_protocol(srv.study, many_text, version="1.1", filename="srv-many.yaml")
    assert len(survey_pages(link)) >= 12
    many = (_queries(client, home), _queries(client, form))
    assert many == few, (few, many)
    with django_assert_max_num_queries(16):
        client.get(home)
