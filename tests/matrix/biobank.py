"""Persona-matrix kwargs of the biobank: a collected specimen per participant of the world, a freezer (with a
rack and a 9 × 9 box) and a shipment being prepared at each participant's site."""

from biobank.models import Box, Freezer, Rack, Shipment, Specimen


def _objects(world, name: str):
    key = f"biobank_{name}"
    if key not in world.__dict__:
        participant = getattr(world, name)
        specimen = Specimen.objects.create(
            study=participant.study,
            participant=participant,
            type_code="blood",
            seq=participant.pk,
            label_id=f"{participant.study.code}-BL{participant.pk:06d}",
            status=Specimen.Status.COLLECTED,
        )
        freezer = Freezer.objects.create(site=participant.site, name=f"F-{name}", temperature_c=-80)
        Box.objects.create(rack=Rack.objects.create(freezer=freezer, name="R1"), name="B1", rows=9, cols=9)
        shipment = Shipment.objects.create(
            study=participant.study, site=participant.site, destination="Central lab", created_by=_owner(world)
        )
        world.__dict__[key] = (specimen, freezer, shipment)
    return world.__dict__[key]


def _owner(world):
    from tests.factories import UserFactory

    if "biobank_owner" not in world.__dict__:
        world.__dict__["biobank_owner"] = UserFactory(username="biobank-owner")
    return world.__dict__["biobank_owner"]


def _kwarg(index: int):
    return tuple(
        (lambda w, name=name: _objects(w, name)[index].pk)
        for name in ("participant_a", "participant_b", "participant_c")
    )


KWARGS = {"specimen_id": _kwarg(0), "freezer_id": _kwarg(1), "shipment_id": _kwarg(2)}
