"""GET /api/v1/specimens/: the biobank's specimens through a token, scoped like the biobank pages (the token's
study, the user's sites), filtered by declared parameters only, in a fixed number of queries."""

import pytest

from accounts.services import membership_grant
from api.services import token_create
from biobank import services
from tests.api.conftest import token_client
from tests.factories import UserFactory

from .conftest import at, collect, make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def specimens(bank, world):
    site_b = UserFactory(username="coordinator-b")
    membership_grant(user=site_b, study=world.study, role="coordinator", sites=[world.site_b])
    blood = collect(bank, centrifuged_at=at(9), centrifuge_g=2000, centrifuge_minutes=10, centrifuge_temperature_c=4)
    stool = collect(bank, type_code="stool")
    other_site = services.specimen_collect(
        user=site_b,
        visit=make_visit(world.participant_b),
        type_code="blood",
        collected_at=at(8),
        volume_ml=4,
    )
    return blood, stool, other_site


def _token(bank) -> str:
    return token_create(user=bank.user, study=bank.world.study, by=bank.user).key


def test_a_coordinators_token_lists_only_their_sites_specimens(bank, specimens):
    blood, stool, other_site = specimens
    client = token_client(_token(bank))
    answer = client.get("/api/v1/specimens/")
    assert answer.status_code == 200
    rows = {row["label_id"]: row for row in answer.json()["results"]}
    assert set(rows) == {blood.label_id, stool.label_id}
    assert rows[blood.label_id]["sprec"] == blood.sprec and rows[blood.label_id]["visit_code"] == "baseline"
    assert rows[blood.label_id]["participant"] == bank.world.participant_a.pk
    assert "position" not in rows[blood.label_id] and other_site.label_id not in answer.content.decode()


def test_filters_and_an_unknown_filter(bank, specimens):
    blood, stool, _ = specimens
    client = token_client(_token(bank))
    by_type = client.get("/api/v1/specimens/", {"type_code": "stool"}).json()["results"]
    assert [row["label_id"] for row in by_type] == [stool.label_id]
    by_sprec = client.get("/api/v1/specimens/", {"sprec": blood.sprec[:9]}).json()["results"]
    assert blood.label_id in [row["label_id"] for row in by_sprec]
    refused = client.get("/api/v1/specimens/", {"box": "1"})
    assert refused.status_code == 400 and "Unknown query parameter" in refused.json()["errors"]["query"]["en"]
    assert client.get("/api/v1/specimens/", {"participant": "x"}).status_code == 400


def test_the_list_costs_the_same_queries_for_more_specimens(bank, specimens, django_assert_max_num_queries):
    client = token_client(_token(bank))
    with django_assert_max_num_queries(30) as few:
        client.get("/api/v1/specimens/")
    for _ in range(6):
        collect(bank, type_code="stool")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/specimens/").json()["count"] == 8
