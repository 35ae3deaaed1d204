"""A soft plausibility warning confirmed with a reason on the CRF, in a real browser (Debian's chromium, Playwright):
the form is saved as entered and a data query holds the reason."""

import pytest

from accounts.services import membership_grant
from instruments.models import Response
from instruments.registry import get_instrument
from queries.models import Query
from tests.browser import log_in
from tests.factories import ParticipantFactory, SiteFactory, StudyFactory, UserFactory
from tests.matrix.instruments import attach_protocol

from .test_crf_browser import fill_item
from .test_plausibility_paths import AVERAGE_ABOVE_WORST, PROTOCOL, WARNING

pytestmark = pytest.mark.browser


@pytest.fixture
def alpha_bpi(transactional_db):
    study = StudyFactory(code="alpha", title="Alpha study")
    site = SiteFactory(study=study, code="A", name="Site A")
    SiteFactory(study=study, code="B", name="Site B")
    attach_protocol(study, PROTOCOL)
    user = UserFactory(username="coord")
    membership_grant(user=user, study=study, role="coordinator", sites=[site])
    return ParticipantFactory(site=site, identifier="ALPHA-A-0001")


def test_a_warning_confirmed_with_a_reason_saves_the_form_and_opens_a_query(page, live_server, alpha_bpi):
    log_in(page, live_server, "coord")
    page.goto(f"{live_server.url}/instruments/participant/{alpha_bpi.pk}/visit/baseline/bpi/")
    bpi = get_instrument("bpi")
    for code, value in AVERAGE_ABOVE_WORST.items():  # typed and clicked like a person
        fill_item(page, bpi.item(code), value)
    page.click("button[value=complete]")

    page.wait_for_selector("#check-warnings")
    assert WARNING in page.inner_text("#check-warnings")
    assert WARNING in page.inner_text("#item-bpi_5 .invalid-feedback")  # the answer it is about is marked
    assert page.is_checked("#item-bpi_5 input[value='9']")  # everything typed is kept
    assert not Response.objects.exists()

    page.fill("#id_warning_reason", "Confirmed with the participant: worse on average than at its worst")
    page.click("button[value=complete]")
    page.wait_for_selector("text=Saved.")

    stored = Response.objects.get(participant=alpha_bpi, activity_key="bpi")
    assert stored.status == Response.Status.COMPLETE and stored.values["bpi_5"] == 9 and stored.values["bpi_3"] == 8
    query = Query.objects.get(participant=alpha_bpi)
    assert (query.origin, query.rule_code, query.item_code) == ("override", "average_within_range", "bpi_5")
    assert query.object_id == str(stored.pk) and query.status == Query.Status.OPEN
    assert query.detail == "Confirmed with the participant: worse on average than at its worst"
    assert not page.locator("#check-warnings").count()  # the saved form asks nothing more
