"""Persona-matrix kwargs of the imaging app: a job, a data file and an MRI series per participant of the world, and
a BIDS export per site (queued, so it has no zip yet: its download sends an exporting persona back to the list).

Objects are rows only (no stored bytes are needed to check who may reach them); the preview is a tiny PNG kept in
the row, so the site-A persona's own preview answers 200.
"""

from imaging.models import DataFile, DicomSeries, ImagingExport, IngestJob

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU\x00\x00"
    b"\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _objects(world, name: str):
    key = f"imaging_{name}"
    if key not in world.__dict__:
        from tests.factories import UserFactory

        participant = getattr(world, name)
        uploader = UserFactory(username=f"uploader-{name}")
        series = DicomSeries.objects.create(
            study=participant.study,
            series_uid=f"2.25.{participant.pk}",
            label="t1w",
            preview_png=PNG,
            preview_source="1",
        )
        data_file = DataFile.objects.create(
            study=participant.study,
            participant=participant,
            visit_code="baseline",
            kind="dicom",
            original_name=f"{participant.identifier}.dcm",
            file="imaging/none.dcm",
            sha256=f"{participant.pk:064d}",
            size=1,
            uploaded_by=uploader,
            link_status=DataFile.LinkStatus.LINKED,
            series=series,
        )
        job = IngestJob.objects.create(
            study=participant.study,
            data_file=data_file,
            original_name=data_file.original_name,
            uploaded_by=uploader,
            status=IngestJob.Status.FAILED,
            error="test",
        )
        world.__dict__[key] = (job, data_file, series)
    return world.__dict__[key]


def _kwarg(index: int):
    return tuple(
        (lambda w, name=name: _objects(w, name)[index].pk)
        for name in ("participant_a", "participant_b", "participant_c")
    )


def _export(world, site_name: str) -> int:
    key = f"imaging_export_{site_name}"
    if key not in world.__dict__:
        from tests.factories import UserFactory

        site = getattr(world, site_name)
        export = ImagingExport.objects.create(
            study=site.study, requested_by=UserFactory(username=f"exporter-{site_name}")
        )
        export.sites.set([site])
        world.__dict__[key] = export.pk
    return world.__dict__[key]


KWARGS = {
    "job_id": _kwarg(0),
    "datafile_id": _kwarg(1),
    "series_id": _kwarg(2),
    "export_id": tuple((lambda w, name=name: _export(w, name)) for name in ("site_a", "site_b", "site_c")),
}
