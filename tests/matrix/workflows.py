"""Persona-matrix kwargs of workflows: a finished response import job per site (uploaded by a user of that site)."""

from accounts.models import Membership
from tests.factories import UserFactory
from workflows.models import ResponseImportJob


def _import_job(world, site_name: str) -> int:
    key = f"workflows_import_job_{site_name}"
    if key not in world.__dict__:
        site = getattr(world, site_name)
        uploader = UserFactory(username=f"importer-{site_name}")
        membership = Membership.objects.create(user=uploader, study=site.study, role="coordinator")
        membership.sites.set([site])
        job = ResponseImportJob.objects.create(
            study=site.study,
            uploaded_by=uploader,
            site_ids=[site.pk],
            file_name="import.csv",
            status=ResponseImportJob.Status.SUCCEEDED,
            rows_total=1,
            rows_done=1,
            report={"problem": "", "saved": 1, "rows": []},
        )
        world.__dict__[key] = job.pk
    return world.__dict__[key]


KWARGS = {
    "import_job_id": tuple((lambda w, name=name: _import_job(w, name)) for name in ("site_a", "site_b", "site_c")),
}
