"""Shipments (consent, export approval, chain of custody) and the cell-product chain (release, dispensing)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from biobank import services
from biobank.models import Position, Specimen
from biobank.services import products, shipments
from studies.protocol.specimens import DEFAULT_RELEASE

from .conftest import collect, make_visit

PASSING = {
    "cd44": "98.5",
    "cd73": "99",
    "cd29": "97",
    "cd45": "0.8",
    "sterility": "negative",
    "mycoplasma": "Negative",
    "karyotype": "normal",
}


@pytest.fixture
def abroad(bank):
    return shipments.shipment_create(
        user=bank.user,
        study=bank.world.study,
        site=bank.world.site_a,
        destination="Sequencing centre, Basel",
        abroad=True,
    )


def _consent(bank, **uses):
    return shipments.consent_uses_record(user=bank.user, participant=bank.world.participant_a, **uses)


def test_a_shipment_abroad_without_an_approval_is_refused(bank, abroad):
    _consent(bank, allows_transfer=True)
    shipments.shipment_add(user=bank.user, shipment=abroad, specimens=[collect(bank)])
    with pytest.raises(ValidationError, match="needs a recorded export approval"):
        shipments.shipment_ship(user=bank.user, shipment=abroad, temperature_c=-78)
    abroad.refresh_from_db()
    assert abroad.status == "draft"
    shipments.shipment_approve(
        user=bank.user, shipment=abroad, reference="HGR-2026-0042", date=date(2026, 1, 2), scope="Plasma for sequencing"
    )
    shipments.shipment_ship(user=bank.user, shipment=abroad, temperature_c=-78)
    assert Specimen.objects.get().status == "shipped"


def test_a_specimen_whose_consent_forbids_transfer_is_refused(bank, abroad):
    _consent(bank, allows_transfer=False)
    with pytest.raises(ValidationError, match="does not allow transfer"):
        shipments.shipment_add(user=bank.user, shipment=abroad, specimens=[collect(bank)])
    assert not abroad.items.exists()


def test_abroad_a_consent_with_nothing_recorded_is_refused_too(bank, abroad):
    with pytest.raises(ValidationError, match="does not allow transfer"):
        shipments.shipment_add(user=bank.user, shipment=abroad, specimens=[collect(bank)])


def test_a_consent_withdrawn_after_packing_stops_the_shipment(bank, abroad):
    _consent(bank, allows_transfer=True)
    shipments.shipment_add(user=bank.user, shipment=abroad, specimens=[collect(bank)])
    shipments.shipment_approve(user=bank.user, shipment=abroad, reference="HGR-1", date=date(2026, 1, 2), scope="")
    _consent(bank, allows_transfer=False)
    with pytest.raises(ValidationError, match="does not allow transfer"):
        shipments.shipment_ship(user=bank.user, shipment=abroad, temperature_c=-78)


def test_shipping_frees_the_positions_and_receiving_closes_the_chain(bank):
    domestic = shipments.shipment_create(
        user=bank.user, study=bank.world.study, site=bank.world.site_a, destination="Central lab", abroad=False
    )
    specimen = collect(bank)
    services.specimen_place(user=bank.user, specimen=specimen, box=bank.box, row=1, col=1)
    shipments.shipment_add(user=bank.user, shipment=domestic, specimens=[specimen])
    shipments.shipment_ship(user=bank.user, shipment=domestic, temperature_c=-78)
    assert not Position.objects.exists()
    shipments.shipment_receive(user=bank.user, shipment=domestic, temperature_c=-70, condition="Dry ice left, intact")
    domestic.refresh_from_db()
    assert (domestic.status, domestic.received_temperature_c) == ("received", -70)
    steps = AuditEvent.objects.filter(object_type="biobank.shipment", object_id=str(domestic.pk)).count()
    assert steps == 3  # created, shipped, received: who and when for each


def _product(bank):
    tissue = collect(bank, type_code="adipose_tissue", volume_ml=Decimal("150"))
    return services.aliquot_split(
        user=bank.user, parent=tissue, type_code="cell_product", count=1, volume_ml=Decimal("2")
    )[0]


@pytest.mark.parametrize("failing", [c.code for c in DEFAULT_RELEASE])
def test_a_product_failing_one_release_criterion_cannot_be_dispensed(bank, failing):
    product = _product(bank)
    bad = {"cd45": "5", "sterility": "positive", "mycoplasma": "positive", "karyotype": "abnormal"}.get(failing, "80")
    row = products.release_record(user=bank.user, specimen=product, lot="L1", results=PASSING | {failing: bad})
    assert not row.released
    assert [o["code"] for o in row.outcomes if not o["passed"]] == [failing]
    transplant = make_visit(bank.world.participant_a, "transplantation")
    with pytest.raises(ValidationError, match="has not passed every release criterion"):
        products.product_dispense(user=bank.user, specimen=product, visit=transplant, transport_temperature_c=4)
    product.refresh_from_db()
    assert product.status != "dispensed"


def test_a_missing_result_fails_release(bank):
    results = dict(PASSING)
    del results["karyotype"]
    assert not products.release_record(user=bank.user, specimen=_product(bank), lot="L1", results=results).released


def test_a_released_product_is_dispensed_once_to_the_visit(bank):
    product = _product(bank)
    assert products.release_record(user=bank.user, specimen=product, lot="L1", results=PASSING, passage=3).released
    transplant = make_visit(bank.world.participant_a, "transplantation")
    dispense = products.product_dispense(user=bank.user, specimen=product, visit=transplant, transport_temperature_c=4)
    assert dispense.visit == transplant
    with pytest.raises(ValidationError, match="already dispensed"):
        products.product_dispense(user=bank.user, specimen=product, visit=transplant, transport_temperature_c=4)


def test_release_is_only_for_cell_products(bank):
    with pytest.raises(ValidationError, match="not a cell product"):
        products.release_record(user=bank.user, specimen=collect(bank), lot="L1", results=PASSING)
