"""Reads for acquisitions, always starting from what the user may see.

A linked file is visible with its participant (study and site scope). A file still waiting to be linked has no
site, so only the study's roles with LINK_FILES (Admins and Data managers) see it. A job is visible with its file,
to whoever uploaded it, or, when it produced no linked file, to the study's roles with LINK_FILES.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from accounts.capabilities import Action, roles_with
from accounts.models import Membership
from imaging.readers.dicom_series import compare_expected
from participants.selectors import participants_for_user
from studies.models import Site
from studies.selectors import current_protocol

from .expected import expected_labels
from .models import DataFile, DerivedMeasure, DicomSeries, ImagingExport, IngestJob, Kind


def _study_ids(user, action: Action | None = None):
    """Ids of the user's studies (those in which the user's role may do ``action``, when given)."""
    memberships = Membership.objects.filter(user=user, is_active=True, study__is_active=True)
    if action is not None:
        memberships = memberships.filter(role__in=roles_with(action))
    return memberships.values("study_id")


def datafiles_for_user(user) -> QuerySet[DataFile]:
    if not user.is_authenticated:
        return DataFile.objects.none()
    linked = Q(participant__in=participants_for_user(user))
    unlinked = Q(participant__isnull=True, study_id__in=_study_ids(user, Action.LINK_FILES))
    return (
        DataFile.objects.filter(linked | unlinked)
        .select_related("study", "participant", "visit", "series")
        .defer("series__preview_png")
    )


def jobs_for_user(user) -> QuerySet[IngestJob]:
    if not user.is_authenticated:
        return IngestJob.objects.none()
    studies = _study_ids(user)
    own_upload = Q(uploaded_by=user, study_id__in=studies)
    with_file = Q(data_file__in=datafiles_for_user(user))
    no_file = Q(data_file__isnull=True, study_id__in=_study_ids(user, Action.LINK_FILES))
    chosen = Q(data_file__isnull=True, participant__in=participants_for_user(user))
    return IngestJob.objects.filter(own_upload | with_file | no_file | chosen).select_related(
        "study", "data_file", "participant", "uploaded_by"
    )


def series_for_user(user) -> QuerySet[DicomSeries]:
    return DicomSeries.objects.filter(files__in=datafiles_for_user(user)).distinct()


def job_list(user, *, study, status: str = "") -> QuerySet[IngestJob]:
    jobs = jobs_for_user(user).filter(study=study)
    if status:
        jobs = jobs.filter(status=status)
    return jobs.order_by("-created_at", "-pk")


def jobs_by_ids(user, *, study, ids) -> QuerySet[IngestJob]:
    return jobs_for_user(user).filter(study=study, pk__in=ids)


def needs_linking(user, *, study) -> QuerySet[DataFile]:
    return (
        datafiles_for_user(user)
        .filter(study=study, link_status=DataFile.LinkStatus.NEEDS_LINKING)
        .order_by("uploaded_at", "pk")
    )


def visit_series(data_file: DataFile) -> list[DicomSeries]:
    """The MRI series of the file's visit (every series of that participant and visit), or the file's own."""
    if data_file.kind != Kind.DICOM:
        return []
    if data_file.participant_id is None:
        return list(DicomSeries.objects.filter(pk=data_file.series_id).defer("preview_png"))
    return list(
        DicomSeries.objects.filter(
            files__participant_id=data_file.participant_id, files__visit_code=data_file.visit_code
        )
        .distinct()
        .defer("preview_png")
        .order_by("acquisition_date", "series_number", "pk")
    )


def expected_series(study, visit_code: str) -> list[str]:
    """Classifier labels of the MRI series the current protocol expects at ``visit_code``."""
    protocol = current_protocol(study)
    if protocol is None:
        return []
    visit = next((v for v in protocol.visits if v.code == visit_code), None)
    if visit is None:
        return []
    names = [name for a in visit.activities if a.kind == "acquisition" for name in a.series]
    return expected_labels(names)


@dataclass(frozen=True)
class SeriesCheck:
    expected: tuple[str, ...]
    found: tuple[str, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]


def series_check(participant_id: int, study, visit_code: str) -> SeriesCheck | None:
    expected = expected_series(study, visit_code)
    if not expected:
        return None
    found = sorted(
        set(
            DicomSeries.objects.filter(files__participant_id=participant_id, files__visit_code=visit_code).values_list(
                "label", flat=True
            )
        )
    )
    comparison = compare_expected(found, expected)
    return SeriesCheck(tuple(expected), tuple(found), comparison.missing, comparison.extra)


def expected_comparison(data_file: DataFile) -> SeriesCheck | None:
    if data_file.kind != Kind.DICOM or data_file.participant_id is None:
        return None
    return series_check(data_file.participant_id, data_file.study, data_file.visit_code)


def participant_acquisitions(participant) -> QuerySet[DataFile]:
    """Linked files of a participant the caller has already been allowed to see, with jobs and measures."""
    return (
        DataFile.objects.filter(participant=participant, link_status=DataFile.LinkStatus.LINKED)
        .select_related("series", "visit")
        .defer("series__preview_png")
        .prefetch_related(
            Prefetch("measures", queryset=DerivedMeasure.objects.order_by("name")),
            Prefetch("jobs", queryset=IngestJob.objects.order_by("-created_at")),
        )
        .order_by("visit_code", "uploaded_at", "pk")
    )


def exports_for_user(user) -> QuerySet[ImagingExport]:
    """Exports of the user's studies whose sites the user may all see (an export holds the participants of its
    requester's sites). Whether the user may download them is a role check on top (access.require_export)."""
    if not user.is_authenticated:
        return ImagingExport.objects.none()
    memberships = Membership.objects.filter(user=user, is_active=True, study__is_active=True)
    whole = Q(study_id__in=memberships.filter(all_sites=True).values("study_id"))
    limited = memberships.filter(all_sites=False)
    outside = ImagingExport.objects.filter(sites__in=Site.objects.exclude(pk__in=limited.values("sites")))
    some = Q(study_id__in=limited.values("study_id"), all_sites=False) & ~Q(pk__in=outside.values("pk"))
    return ImagingExport.objects.filter(whole | some).select_related("study", "requested_by")


def export_list(user, *, study) -> QuerySet[ImagingExport]:
    return (
        exports_for_user(user)
        .filter(study=study)
        .select_related("deleted_by")
        .prefetch_related("sites")
        .order_by("-created_at", "-pk")
    )


def export_datafiles(export: ImagingExport) -> QuerySet[DataFile]:
    """The MRI files an export may hold: the study's DICOM files within the requester's sites at request time
    (files waiting to be linked have no site; they are listed in the log and left out)."""
    files = DataFile.objects.filter(study=export.study, kind=Kind.DICOM, series__isnull=False)
    if not export.all_sites:
        linked = Q(participant__site__in=export.sites.all())
        files = files.filter(linked | Q(participant__isnull=True))
    return (
        files.select_related("participant", "series")
        .defer("metadata", "series__preview_png")
        .order_by("series_id", "pk")
    )


def measures_for_user(user, study) -> QuerySet[DerivedMeasure]:
    """Measures of the study's linked files that the user may see (study membership and sites, as the files)."""
    files = datafiles_for_user(user).filter(
        study=study, link_status=DataFile.LinkStatus.LINKED, participant__isnull=False
    )
    return (
        DerivedMeasure.objects.filter(data_file__in=files.values("pk"))
        .select_related("data_file__participant__site")
        .defer("data_file__metadata", "data_file__original_name")
        .order_by(
            "data_file__participant__identifier",
            "data_file__participant_id",
            "data_file__visit_code",
            "data_file__kind",
            "data_file_id",
            "name",
        )
    )
