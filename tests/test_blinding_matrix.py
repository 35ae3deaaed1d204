"""Blinding matrix: in a double-blind study, every page, export and API response the product has is
requested by every blinded role, and no arm name or code may appear in any of them.

The world's study alpha is turned into a randomised double-blind study whose arms carry distinctive names,
participant A is allocated through the randomisation seam (so the audit trail holds the arm change too),
and then the URL walk of the persona matrix runs with the participant-A values of every URL kwarg. New URLs
join automatically, as they do in tests/test_access_matrix.py.
"""

import pytest
from django.urls import reverse

from participants.services import participant_assign_arm
from studies.models import ProtocolVersion
from tests.matrix.instruments import ALPHA_PROTOCOL, attach_protocol
from tests.test_access_matrix import OBJECT_KWARGS, project_urls

ARMS = """
arms:
  - code: arm_zeta
    name: {en: "Zeta high dose", zh: "泽塔高剂量"}
    ratio: 1
  - code: arm_omega
    name: {en: "Omega placebo", zh: "欧米伽安慰剂"}
    ratio: 1
anchors:"""
BLIND_PROTOCOL = ALPHA_PROTOCOL.replace("design: observational", "design: randomised\n  blinding: double").replace(
    "\nanchors:", ARMS, 1
)
ARM_STRINGS = ["arm_zeta", "arm_omega", "Zeta high dose", "Omega placebo", "泽塔高剂量", "欧米伽安慰剂"]
BLINDED_ROLES = ["admin", "data_manager", "pi", "coordinator", "monitor"]


@pytest.fixture
def blind_world(world, make_persona):
    ProtocolVersion.objects.filter(study=world.study).delete()
    attach_protocol(world.study, text=BLIND_PROTOCOL)
    world.alpha_protocol = ProtocolVersion.objects.get(study=world.study)
    world.study.design, world.study.blinding = "randomised", "double"
    world.study.save(update_fields=["design", "blinding"])
    statistician = make_persona("unblinded_statistician", all_sites=True)
    for participant, arm in ((world.participant_a, "arm_zeta"), (world.participant_b, "arm_omega")):
        participant_assign_arm(participant=participant, arm_code=arm, user=statistician, source="randomisation")
    world.statistician = statistician
    return world


def _own_url(world, name, kwargs):
    return reverse(name, kwargs={key: OBJECT_KWARGS[key][0](world) for key in kwargs})


def _leaks(response) -> list[str]:
    if response.get("Content-Type", "").startswith(("image/", "application/octet-stream")):
        return []
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", errors="replace")
    return [arm for arm in ARM_STRINGS if arm in text]


@pytest.mark.django_db
@pytest.mark.parametrize("role", BLINDED_ROLES)
def test_no_page_export_or_api_response_shows_an_arm_to_a_blinded_role(client, blind_world, make_persona, role):
    client.force_login(make_persona(role, all_sites=True))
    for language in ("en", "zh-hans"):
        client.cookies["django_language"] = language
        walked = 0
        for name, kwargs in project_urls():
            response = client.get(_own_url(blind_world, name, kwargs))
            assert response.status_code < 500, (name, response.status_code)
            assert not _leaks(response), (role, language, name, _leaks(response))
            walked += 1
        assert walked >= 40


@pytest.mark.django_db
def test_the_walk_would_catch_a_leak_because_the_unblinded_statistician_sees_arms(client, blind_world):
    client.force_login(blind_world.statistician)
    page = client.get(reverse("participants:participant-detail", args=[blind_world.participant_a.pk]))
    assert "Zeta high dose" in page.content.decode()


def _export_file_text(client, study, fmt: str) -> str:
    """Run an export of ``fmt`` from the builder page and download it; its text as a reader would see it (the
    parts of an xlsx unzipped, a Parquet file read)."""
    import io
    import zipfile

    import pyarrow.parquet as pq
    from django.test import TestCase

    from exports.models import DataExport

    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("exports:export-builder", args=[study.code]), {"format": fmt})
    export = DataExport.objects.filter(format=fmt).latest("pk")
    assert export.status == "done", (fmt, export.error)
    body = b"".join(client.get(reverse("exports:export-download", args=[export.pk])).streaming_content)
    if fmt in ("xlsx", "xpt", "datasetjson"):  # zip archives: search their members
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            body = b"".join(archive.read(name) for name in archive.namelist())
    if fmt == "parquet":
        return str(pq.read_table(io.BytesIO(body)).to_pydict())
    return body.decode("utf-8", errors="replace")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "data_manager"])
def test_no_data_export_file_shows_an_arm_to_a_blinded_role(
    client, blind_world, make_persona, role, settings, tmp_path
):
    """The exports app's files in every format, not only its pages (tests/exports/test_blinding.py holds the
    thorough version on a generated double-blind study)."""
    from exports.models import DataExport

    settings.MEDIA_ROOT = str(tmp_path)
    OBJECT_KWARGS["response_id"][0](blind_world)  # participant A has a stored form
    client.force_login(make_persona(role, all_sites=True))
    for fmt in DataExport.Format.values:
        text = _export_file_text(client, blind_world.study, fmt)
        assert not [arm for arm in ARM_STRINGS if arm in text], (role, fmt)


@pytest.mark.django_db
def test_the_export_check_would_catch_a_leak_because_the_statisticians_file_has_the_arms(
    client, blind_world, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    OBJECT_KWARGS["response_id"][0](blind_world)
    client.force_login(blind_world.statistician)
    assert "arm_zeta" in _export_file_text(client, blind_world.study, "csv_wide")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["data_manager", "pi", "coordinator", "monitor"])
def test_the_record_status_grid_offers_no_arm_filter_and_ignores_one_to_a_blinded_role(
    client, blind_world, make_persona, role
):
    client.force_login(make_persona(role, all_sites=True))
    url = reverse("reports:status-grid", args=[blind_world.study.code])
    page = client.get(url).content.decode()
    assert 'name="arm"' not in page and not [arm for arm in ARM_STRINGS if arm in page]
    # ?arm= is ignored, both arms' participants are listed: filtering on an arm would tell who is in it
    page = client.get(url, {"arm": "arm_zeta"}).content.decode()
    assert 'data-participant="ALPHA-A-0001"' in page and 'data-participant="ALPHA-B-0001"' in page


@pytest.mark.django_db
def test_the_grid_check_would_catch_a_leak_because_an_open_study_shows_arms(client, blind_world, make_persona):
    blind_world.study.blinding = "none"
    blind_world.study.save(update_fields=["blinding"])
    client.force_login(make_persona("data_manager", all_sites=True))
    url = reverse("reports:status-grid", args=[blind_world.study.code])
    page = client.get(url, {"arm": "arm_zeta"}).content.decode()
    assert 'name="arm"' in page and "Zeta high dose" in page
    assert 'data-participant="ALPHA-A-0001"' in page and 'data-participant="ALPHA-B-0001"' not in page
