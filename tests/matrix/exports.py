"""Persona-matrix kwargs of the exports app: one queued data export per site (no file yet: its download sends
an exporting persona back to the export's page), de-identified and without arms."""

from exports.models import DataExport


def _export(world, site_name: str) -> int:
    key = f"data_export_{site_name}"
    if key not in world.__dict__:
        from tests.factories import UserFactory

        site = getattr(world, site_name)
        export = DataExport.objects.create(
            study=site.study, requested_by=UserFactory(username=f"data-exporter-{site_name}"), format="csv_wide"
        )
        export.sites.set([site])
        world.__dict__[key] = export.pk
    return world.__dict__[key]


KWARGS = {
    "data_export_id": tuple((lambda w, name=name: _export(w, name)) for name in ("site_a", "site_b", "site_c")),
}
