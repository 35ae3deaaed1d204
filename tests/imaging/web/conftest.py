"""Fixtures for the Django side of acquisitions: a private media root, visits, a protocol with MRI series."""

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from participants.models import Visit
from tests.factories import ParticipantFactory
from tests.matrix.instruments import attach_protocol
from tests.protocol_text import protocol_head

MRI_PROTOCOL = (
    protocol_head()
    + """visits:
  - code: baseline
    label: {en: "Baseline", zh: "基线"}
    anchor: enrolment
    offset_days: 0
    window_before: 0
    window_after: 7
    activities:
      acquisitions:
        - {type: mri, series: [localizer, angio, t1w_head]}
        - psg
"""
)

PETER = "98890234"  # PatientID of the MR and CT studies in pydicom's dicomdirtests
ARCHIBALD = "77654033"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def mri_protocol(world):
    return attach_protocol(world.study, text=MRI_PROTOCOL, version="mri-1")


def make_visit(participant, code="baseline", start=date(2003, 5, 1), end=date(2003, 5, 10)):
    return Visit.objects.create(
        participant=participant,
        visit_code=code,
        anchor_code="enrolment",
        target_date=start,
        window_start=start,
        window_end=end,
    )


@pytest.fixture
def visit_a(world):
    return make_visit(world.participant_a)


@pytest.fixture
def peter(world):
    """A site-A participant whose study ID is the PatientID inside the real MR files, with a visit in May 2003."""
    participant = ParticipantFactory(site=world.site_a, identifier=PETER)
    make_visit(participant)
    return participant


def zip_of(paths, names=None) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index, path in enumerate(paths):
            archive.write(path, names[index] if names else f"{Path(path).parent.name}/{Path(path).name}")
    buffer.seek(0)
    buffer.name = "upload.zip"
    return buffer


def named(path: Path, name: str | None = None):
    handle = io.BytesIO(Path(path).read_bytes())
    handle.name = name or Path(path).name
    return handle


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks, world):
    """POST files to the upload page and run the jobs the commit enqueues (in-process, as without a broker)."""

    def post(files, *, study=None, **data):
        url = reverse("imaging:datafile-upload", args=[(study or world.study).code])
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, {"files": files, **data})

    return post
