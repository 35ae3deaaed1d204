"""The biobank reads the study's loaded protocol: its own specimen types and limits, the ID pattern, the
freeze-thaw limit, and the specimens expected at each visit."""

from decimal import Decimal

import pytest
from django.urls import reverse

from biobank import services
from tests.matrix.instruments import ALPHA_PROTOCOL, attach_protocol

from .conftest import at, collect

BIOBANK = """biobank:
  specimen_id_pattern: "{study}-{prefix}-{seq:05d}"
  freeze_thaw_limit: 1
  specimen_types:
    - code: plasma_before
      base: plasma
      label: {en: "Plasma before the session", zh: "治疗前血浆"}
      prefix: PB
      limits: {centrifuge_within_minutes: 30}
      timing: before_session
      derived_from: blood
visits:"""


@pytest.fixture
def study_protocol(bank):
    text = ALPHA_PROTOCOL.replace("visits:", BIOBANK, 1).replace("specimens: [blood]", "specimens: [blood, stool]")
    attach_protocol(bank.world.study, text=text)
    return bank


def test_the_study_pattern_and_its_own_type_with_its_limit_apply(study_protocol):
    bank = study_protocol
    blood = collect(bank, volume_ml=Decimal("4"))
    assert blood.label_id == "alpha-BL-00001"
    plasma = services.aliquot_split(
        user=bank.user, parent=blood, type_code="plasma_before", count=1, volume_ml=Decimal("1")
    )[0]
    assert plasma.label_id == "alpha-PB-00002"
    late = collect(bank, type_code="plasma_before", centrifuged_at=at(8, 45))
    assert late.centrifuge_minutes_over == 15


def test_more_thaws_than_the_protocol_allows_are_warned(study_protocol):
    bank = study_protocol
    specimen = collect(bank)
    services.specimen_place(user=bank.user, specimen=specimen, box=bank.box, row=1, col=1)
    for _ in range(2):
        services.specimen_check_out(user=bank.user, specimen=specimen)
        specimen = services.specimen_check_in(user=bank.user, specimen=specimen)
    assert services.freeze_thaw_warning(specimen)


def test_the_specimens_page_lists_what_each_visit_expects_and_what_is_missing(client, study_protocol):
    bank = study_protocol
    collect(bank, activity_key="blood")
    client.force_login(bank.user)
    page = client.get(reverse("biobank:participant-specimens", args=[bank.world.participant_a.pk])).content.decode()
    assert 'data-key="blood" class="expected-recorded"' in page
    assert 'data-key="stool" class="expected-missing"' in page
