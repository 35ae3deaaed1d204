"""Issue #12's first "done when": a new study written only as files (tests/fixtures/study_files/recovery_study.yaml,
English only, and recovery_dictionary.csv as REDCap exports it, with a calculated mean and a best-of-three) loads
through the pages and through the commands, with no file in the code tree and no restart, and its calculated scores
show on the CRF and in the API. A wrong expression and a missing-language label are refused at upload with their
positions, and the other studies keep serving.

The last test runs the product as production does (gunicorn, two worker processes, PostgreSQL): the files are
loaded by ``manage.py`` in a third process while the server runs, and the running workers serve the new forms.
"""

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Membership
from accounts.services import membership_grant
from instruments.definitions import LIBRARY_ROOT
from instruments.models import Response, StudyInstrument
from studies.models import Study
from tests.factories import ParticipantFactory, UserFactory
from tests.test_production import ROOT, Client, _production_env, gunicorn  # noqa: F401 (gunicorn is a fixture)

FILES = Path(__file__).parent / "fixtures" / "study_files"
PROTOCOL = FILES / "recovery_study.yaml"
DICTIONARY = FILES / "recovery_dictionary.csv"
FORMS = {"recovery", "grip_strength", "six_mwt", "nrs"}
GRIP = {"grip_1": "28", "grip_2": "31.5", "grip_3": "30"}  # best of three: 31.5
RECOVERY = {"recovery_1": "1", "recovery_2": "2", "recovery_3": "3", "recovery_4": "4"}  # four of five: mean 2.5


def upload(path: Path, text: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, (text if text is not None else path.read_text("utf-8")).encode("utf-8"))


def crf(participant, activity: str, visit: str = "baseline") -> str:
    return reverse("workflows:response-edit", args=[participant.pk, visit, activity])


def computed(html: str, code: str) -> str:
    found = re.search(rf'<output[^>]*id="id_{code}"[^>]*>(.*?)</output>', html, re.S)
    assert found, f"no computed value for {code} on the page"
    return found.group(1).strip()


def coordinator_of(study: Study):
    user = UserFactory(username=f"{study.code}-coordinator")
    membership_grant(user=user, study=study, role="coordinator", all_sites=True)
    return user


def exported_scores(study: Study, tmp_path: Path) -> dict[str, object]:
    """The calculated values of the baseline row of the study's wide CSV and Parquet exports (de-identified)."""
    csv_path, parquet_path = tmp_path / f"{study.code}.csv", tmp_path / f"{study.code}.parquet"
    call_command("export_data", "--study", study.code, "--format", "csv_wide", "--out", str(csv_path), stdout=None)
    call_command("export_data", "--study", study.code, "--format", "parquet", "--out", str(parquet_path), stdout=None)
    (row,) = [row for row in csv.DictReader(io.StringIO(csv_path.read_text("utf-8-sig"))) if row["visit"] == "baseline"]
    table = pyarrow.parquet.read_table(parquet_path).to_pylist()
    (typed,) = [one for one in table if one["visit"] == "baseline"]
    return {
        "csv": (row["grip_strength_grip_best"], row["recovery_recovery_mean"]),
        "parquet": (typed["grip_strength_grip_best"], typed["recovery_recovery_mean"]),
    }


def enter_and_check(client, study: Study) -> None:
    """A coordinator saves the two forms with calculated values and sees them on the CRF and in the API."""
    participant = ParticipantFactory(site=study.sites.get(), identifier="REC-01-001")  # enrolled 2026-01-05
    client.force_login(coordinator_of(study))
    assert (
        client.post(crf(participant, "grip_strength"), {**GRIP, "action": "complete", "lock_version": 0}).status_code
        == 302
    )
    assert (
        client.post(crf(participant, "recovery"), {**RECOVERY, "action": "save", "lock_version": 0}).status_code == 302
    )
    assert computed(client.get(crf(participant, "grip_strength")).content.decode(), "grip_best") == "31.5"
    assert computed(client.get(crf(participant, "recovery")).content.decode(), "recovery_mean") == "2.5"

    listed = client.get(reverse("workflows:api-response-list"), {"study": study.code}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert {row["activity_key"]: row["scores"] for row in rows} == {
        "grip_strength": {"grip_best": 31.5},
        "recovery": {"recovery_mean": 2.5},
    }


@pytest.fixture
def server_admin(db):
    return UserFactory(username="server-admin", is_staff=True, is_superuser=True)


def test_no_file_of_the_study_is_in_the_code_tree():
    assert not any((LIBRARY_ROOT / code).exists() for code in FORMS)


def test_a_study_created_from_the_pages_computes_its_scores_on_the_crf_in_the_api_and_in_exports(
    client, server_admin, tmp_path
):
    client.force_login(server_admin)
    created = client.post(reverse("workflows:study-new"), {"file": upload(PROTOCOL), "files": [upload(DICTIONARY)]})
    assert created.status_code == 302, created.content.decode()[:2000]
    study = Study.objects.get(code="recovery")
    assert study.target_enrolment == 0  # the protocol gives none
    assert set(StudyInstrument.objects.filter(study_code="recovery").values_list("code", flat=True)) == FORMS
    assert Membership.objects.get(user=server_admin, study=study).role == "admin"
    enter_and_check(client, study)
    assert exported_scores(study, tmp_path) == {"csv": ("31.5", "2.5"), "parquet": (31.5, 2.5)}


def test_the_commands_load_the_dictionary_before_the_protocol_exists(client, db):
    call_command("load_instruments", str(DICTIONARY), "--study", "recovery", "--languages", "en", stdout=None)
    call_command("load_protocol", str(PROTOCOL), stdout=None)
    enter_and_check(client, Study.objects.get(code="recovery"))


def test_load_protocol_with_instruments_loads_both_in_one_step(client, db, tmp_path):
    protocol = tmp_path / "recovery2.yaml"
    protocol.write_text(PROTOCOL.read_text("utf-8").replace("code: recovery\n", "code: recovery2\n", 1), "utf-8")
    call_command("load_protocol", str(protocol), "--instruments", str(DICTIONARY), stdout=None)
    assert set(StudyInstrument.objects.filter(study_code="recovery2").values_list("code", flat=True)) == FORMS
    enter_and_check(client, Study.objects.get(code="recovery2"))


def test_a_wrong_expression_and_a_missing_language_are_refused_with_positions_and_others_keep_serving(
    client, world, make_persona, server_admin
):
    client.force_login(server_admin)
    assert (
        client.post(
            reverse("workflows:study-new"), {"file": upload(PROTOCOL), "files": [upload(DICTIONARY)]}
        ).status_code
        == 302
    )
    data_manager = UserFactory(username="recovery-dm")
    membership_grant(user=data_manager, study=Study.objects.get(code="recovery"), role="data_manager", all_sites=True)
    stored_before = StudyInstrument.objects.count()

    # A typo in the best-of-three: the row, the field and the column of the unknown item.
    wrong = DICTIONARY.read_text("utf-8").replace("max([grip_1],[grip_2],[grip_3])", "max([grip_1],[grip_2],[grip_9])")
    client.force_login(data_manager)
    refused = client.post(
        reverse("workflows:study-instruments", args=["recovery"]),
        {"files": [upload(DICTIONARY.with_name("recovery_v2.csv"), wrong)]},
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "row 11 (grip_best)" in page and "grip_9" in page and "column" in page
    assert StudyInstrument.objects.count() == stored_before

    # The same English-only export offered to a study that declares both languages: every row missing Chinese.
    alpha_admin = make_persona("data_manager", all_sites=True)
    client.force_login(alpha_admin)
    refused = client.post(reverse("workflows:study-instruments", args=["alpha"]), {"files": [upload(DICTIONARY)]})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "row 2 (recovery_1)" in page and "missing zh label" in page and "row 13 (nrs_pain)" in page
    assert not StudyInstrument.objects.filter(study_code="alpha").exists()

    # The other studies keep serving, and so does every management command.
    client.force_login(make_persona("coordinator"))
    assert client.get(reverse("participants:participant-detail", args=[world.participant_a.pk])).status_code == 200
    call_command("check")


# --- A running production server: no restart ----------------------------------------------------------------


@pytest.mark.services
def test_files_loaded_by_command_are_served_at_once_by_a_running_server(transactional_db, gunicorn, tmp_path):  # noqa: F811
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: gunicorn cannot see SQLite's in-memory test database")
    env = _production_env(tmp_path / "static")
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (
        ["load_instruments", str(DICTIONARY), "--study", "recovery", "--languages", "en"],
        ["load_protocol", str(PROTOCOL)],
    ):
        done = subprocess.run(manage + command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    study = Study.objects.get(code="recovery")
    participant = ParticipantFactory(site=study.sites.get(), identifier="REC-01-001")
    user = coordinator_of(study)
    user.set_password("recovery-Test-2026")
    user.save()

    browser = Client(gunicorn)
    browser.log_in(user.username, "recovery-Test-2026")
    url = crf(participant, "grip_strength")
    for _ in range(6):  # two workers, each started before the files were loaded
        assert browser.get(url).status_code == 200
    form = browser.get(url).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    saved = browser.request(
        "POST", url, data={**GRIP, "action": "complete", "lock_version": 0, "csrfmiddlewaretoken": token}
    )
    assert saved.status_code == 302, saved.text[:2000]
    for _ in range(4):
        assert computed(browser.get(url).text, "grip_best") == "31.5"
    assert Response.objects.get(activity_key="grip_strength").scores == {"grip_best": 31.5}
