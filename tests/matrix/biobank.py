"""Persona-matrix kwargs of the biobank: a collected specimen per participant of the world and a freezer (with a
rack and a 9 × 9 box) at each participant's site."""

from biobank.models import Box, Freezer, Rack, Specimen


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
        world.__dict__[key] = (specimen, freezer)
    return world.__dict__[key]


def _kwarg(index: int):
    return tuple(
        (lambda w, name=name: _objects(w, name)[index].pk)
        for name in ("participant_a", "participant_b", "participant_c")
    )


KWARGS = {"specimen_id": _kwarg(0), "freezer_id": _kwarg(1)}
