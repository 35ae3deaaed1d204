"""Collection, limits, aliquots, disposal and storage through the biobank services, on the real database."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from audit.models import AuditEvent
from biobank import services
from biobank.models import Position, Specimen

from .conftest import at, collect


def test_a_collection_gets_a_non_identifying_id_and_its_sprec(bank):
    specimen = collect(
        bank,
        centrifuged_at=at(9),
        centrifuge_g=2000,
        centrifuge_minutes=10,
        centrifuge_temperature_c=4,
        frozen_at=at(9, 30),
    )
    assert specimen.label_id == "alpha-BL000001"
    assert bank.world.participant_a.identifier not in specimen.label_id
    assert specimen.sprec == "BLD-PED-A-D-N-B-A"
    assert (specimen.centrifuge_minutes_over, specimen.freeze_minutes_over) == (0, 0)
    assert AuditEvent.objects.filter(object_type="biobank.specimen", object_id=str(specimen.pk)).exists()


def test_a_processing_delay_over_the_limit_is_flagged_with_the_minutes_over(bank):
    # Blood: centrifuge within 120 min and freeze within 240 min of collection (the built-in limits).
    specimen = collect(bank, centrifuged_at=at(10, 45), frozen_at=at(13, 10))
    assert specimen.centrifuge_minutes_over == 45
    assert specimen.freeze_minutes_over == 70
    assert specimen.is_over_limit


def test_times_out_of_order_are_refused_and_nothing_is_saved(bank):
    with pytest.raises(ValidationError, match="out of order"):
        collect(bank, centrifuged_at=at(7))
    assert not Specimen.objects.exists()


def test_not_collected_needs_a_reason(bank):
    with pytest.raises(ValidationError):
        services.specimen_not_collected(user=bank.user, visit=bank.visit, type_code="stool", reason=" ")
    specimen = services.specimen_not_collected(user=bank.user, visit=bank.visit, type_code="stool", reason="Refused")
    assert specimen.status == Specimen.Status.NOT_COLLECTED


def test_an_unknown_type_is_refused(bank):
    with pytest.raises(ValidationError, match="Unknown specimen type"):
        collect(bank, type_code="lymph")


def test_aliquots_take_their_volume_from_the_parent_and_never_more(bank):
    blood = collect(bank, volume_ml=Decimal("4"))
    children = services.aliquot_split(user=bank.user, parent=blood, type_code="plasma", count=3, volume_ml=Decimal("1"))
    blood.refresh_from_db()
    assert blood.volume_ml == Decimal("1")
    assert [c.parent_id for c in children] == [blood.pk] * 3
    assert children[0].sprec.startswith("PL1-PED-")
    with pytest.raises(ValidationError, match="more than the 1.000 mL left"):
        services.aliquot_split(user=bank.user, parent=blood, type_code="plasma", count=2, volume_ml=Decimal("1"))


def test_the_database_refuses_a_negative_volume(bank):
    blood = collect(bank)
    with pytest.raises(IntegrityError), transaction.atomic():
        Specimen.objects.filter(pk=blood.pk).update(volume_ml=Decimal("-0.5"))


def test_a_specimen_with_aliquots_cannot_be_deleted_and_disposal_is_recorded_instead(bank):
    blood = collect(bank)
    services.aliquot_split(user=bank.user, parent=blood, type_code="plasma", count=1, volume_ml=Decimal("1"))
    with pytest.raises(ProtectedError), transaction.atomic():
        blood.delete()
    services.specimen_place(user=bank.user, specimen=blood, box=bank.box, row=1, col=1)
    services.specimen_dispose(user=bank.user, specimen=blood, reason="Haemolysed")
    blood.refresh_from_db()
    assert (blood.status, blood.disposal_reason) == (Specimen.Status.DISPOSED, "Haemolysed")
    assert not Position.objects.filter(specimen=blood).exists()  # its cell is free again
    with pytest.raises(ValidationError):
        services.specimen_place(user=bank.user, specimen=blood, box=bank.box, row=1, col=2)


def test_two_specimens_never_share_a_position_and_a_move_frees_the_old_one(bank):
    first, second = collect(bank), collect(bank)
    services.specimen_place(user=bank.user, specimen=first, box=bank.box, row=1, col=1)
    with pytest.raises(ValidationError, match="already taken"):
        services.specimen_place(user=bank.user, specimen=second, box=bank.box, row=1, col=1)
    services.specimen_place(user=bank.user, specimen=first, box=bank.box, row=2, col=3)
    services.specimen_place(user=bank.user, specimen=second, box=bank.box, row=1, col=1)
    assert sorted(Position.objects.values_list("row", "col")) == [(1, 1), (2, 3)]


def test_the_database_refuses_a_second_specimen_in_a_cell(bank):
    first, second = collect(bank), collect(bank)
    Position.objects.create(box=bank.box, row=4, col=4, specimen=first)
    with pytest.raises(IntegrityError), transaction.atomic():
        Position.objects.create(box=bank.box, row=4, col=4, specimen=second)


@pytest.mark.parametrize(("row", "col"), [(0, 1), (10, 1), (1, 10), (-1, 3)])
def test_a_position_outside_the_grid_is_refused(bank, row, col):
    with pytest.raises(ValidationError, match="outside the 9 × 9 grid"):
        services.specimen_place(user=bank.user, specimen=collect(bank), box=bank.box, row=row, col=col)


def test_a_box_of_another_site_is_refused(bank):
    other = services.freezer_create(user=bank.user, site=bank.world.site_b, name="FB", temperature_c=-80)
    box = services.box_create(
        user=bank.user, rack=services.rack_create(user=bank.user, freezer=other, name="R"), name="B", rows=9, cols=9
    )
    with pytest.raises(ValidationError, match="another site"):
        services.specimen_place(user=bank.user, specimen=collect(bank), box=box, row=1, col=1)


def test_a_box_grid_is_bounded(bank):
    with pytest.raises(ValidationError):
        services.box_create(user=bank.user, rack=bank.rack, name="Huge", rows=27, cols=9)


def test_each_check_in_counts_a_freeze_thaw_cycle_and_the_protocol_limit_warns(bank):
    specimen = collect(bank)
    services.specimen_place(user=bank.user, specimen=specimen, box=bank.box, row=1, col=1)
    with pytest.raises(ValidationError):
        services.specimen_check_in(user=bank.user, specimen=specimen)
    for _ in range(2):
        services.specimen_check_out(user=bank.user, specimen=specimen)
        specimen = services.specimen_check_in(user=bank.user, specimen=specimen)
    assert specimen.freeze_thaw_cycles == 2
    assert Position.objects.get(specimen=specimen).label == "A1"  # its cell stayed reserved
    assert not services.freeze_thaw_warning(specimen)  # no protocol: no limit


def test_a_storage_temperature_left_empty_is_the_types(bank):
    assert collect(bank, storage_temperature_c=None).storage_temperature_c == -80
    assert collect(bank, storage_temperature_c=-196).sprec.endswith("-V")
