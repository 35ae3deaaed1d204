"""Persona-matrix kwargs of the randomisation app: an allocation list of study alpha, and one of study beta."""


def _list(world, study_name: str):
    from randomisation.models import AllocationList
    from tests.factories import UserFactory

    key = f"allocation_list_{study_name}"
    if key not in world.__dict__:
        study = getattr(world, study_name)
        world.__dict__[key] = AllocationList.objects.create(
            study=study,
            seed=1,
            arms=[["a", 1], ["b", 1]],
            block_multipliers=[1],
            size_per_stratum=2,
            created_by=UserFactory(),
        )
    return world.__dict__[key].pk


KWARGS = {
    # Lists belong to a whole study: there is no site-B list, only another study's.
    "allocation_list_id": (lambda w: _list(w, "study"), None, lambda w: _list(w, "other_study")),
}
