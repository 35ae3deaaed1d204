"""Shipment and cell-product pages through HTTP."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from biobank import services
from biobank.models import Position, Shipment, Specimen
from biobank.services import shipments

from .conftest import collect, make_visit
from .test_shipments_and_products import PASSING


@pytest.fixture
def pi(client, bank, make_persona):
    user = make_persona("pi")
    client.force_login(user)
    return user


def test_a_shipment_abroad_is_built_refused_without_approval_then_shipped(client, bank, pi):
    shipments.consent_uses_record(user=pi, participant=bank.world.participant_a, allows_transfer=True)
    specimen = collect(bank)
    created = client.post(
        reverse("biobank:shipment-list", args=[bank.world.study.code]),
        {"site": bank.world.site_a.pk, "destination": "Lab abroad", "abroad": "on"},
    )
    shipment = Shipment.objects.get()
    assert created.url == reverse("biobank:shipment-detail", args=[shipment.pk])
    url = created.url
    client.post(url, {"action": "add", "ids": f"{specimen.label_id}\n"})
    assert shipment.items.count() == 1
    unknown = client.post(url, {"action": "add", "ids": "nope-1"}, follow=True).content.decode()
    assert "Unknown specimen IDs: nope-1." in unknown
    refused = client.post(url, {"action": "ship", "temperature_c": -78}, follow=True).content.decode()
    assert "needs a recorded export approval" in refused
    client.post(url, {"action": "approve", "reference": "HGR-7", "date": "2026-01-02", "scope": "plasma"})
    client.post(url, {"action": "ship", "temperature_c": -78})
    shipment.refresh_from_db()
    assert shipment.status == "shipped"
    manifest = b"".join(client.get(reverse("biobank:shipment-manifest", args=[shipment.pk])).streaming_content)
    assert specimen.label_id.encode() in manifest


def test_a_coordinator_may_not_record_an_export_approval(client, bank):
    shipment = shipments.shipment_create(
        user=bank.user, study=bank.world.study, site=bank.world.site_a, destination="Abroad", abroad=True
    )
    client.force_login(bank.user)
    response = client.post(
        reverse("biobank:shipment-detail", args=[shipment.pk]),
        {"action": "approve", "reference": "X", "date": "2026-01-02"},
    )
    assert response.status_code == 403
    shipment.refresh_from_db()
    assert not shipment.has_approval


def test_a_failed_release_is_shown_and_dispensing_is_refused(client, bank):
    tissue = collect(bank, type_code="adipose_tissue", volume_ml=Decimal("150"))
    product = services.aliquot_split(
        user=bank.user, parent=tissue, type_code="cell_product", count=1, volume_ml=Decimal("2")
    )[0]
    client.force_login(bank.user)
    url = reverse("biobank:product-release", args=[product.pk])
    results = {f"result_{code}": value for code, value in (PASSING | {"mycoplasma": "positive"}).items()}
    page = client.post(url, {"lot": "L7", **results}, follow=True).content.decode()
    assert "Not released" in page
    visit = make_visit(bank.world.participant_a, "transplantation")
    refused = client.post(
        reverse("biobank:product-dispense", args=[product.pk]),
        {"visit": visit.pk, "transport_temperature_c": 4},
        follow=True,
    )
    assert "has not passed every release criterion" in refused.content.decode()
    product.refresh_from_db()
    assert product.status != "dispensed"


def test_a_received_shipment_of_96_is_placed_in_one_action(client, bank, pi):
    shipment = shipments.shipment_create(
        user=pi, study=bank.world.study, site=bank.world.site_a, destination="Central biobank", abroad=False
    )
    specimens = [collect(bank) for _ in range(96)]
    shipments.shipment_add(user=pi, shipment=shipment, specimens=specimens)
    shipments.shipment_ship(user=pi, shipment=shipment, temperature_c=-78)
    shipments.shipment_receive(user=pi, shipment=shipment, temperature_c=-75, condition="intact")
    central = services.freezer_create(user=pi, site=bank.world.site_b, name="Central", temperature_c=-80)
    box = services.box_create(
        user=pi, rack=services.rack_create(user=pi, freezer=central, name="R"), name="B", rows=10, cols=10
    )
    small = services.box_create(user=pi, rack=box.rack, name="Small", rows=9, cols=9)
    with pytest.raises(ValidationError, match="do not fit in the 81 free cells"):
        shipments.shipment_place(user=pi, shipment=shipment, box=small)
    assert shipments.shipment_place(user=pi, shipment=shipment, box=box) == 96
    assert Position.objects.filter(box=box).count() == 96
    assert not Specimen.objects.exclude(status="stored").filter(pk__in=[s.pk for s in specimens]).exists()
    assert Position.objects.get(specimen=specimens[-1]).label == "J6"
