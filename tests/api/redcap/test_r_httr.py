"""REDCapR's core read and write path (its kernel_api calls, in R with httr, as tests/api/redcap/r/redcapr_core.R
sends them) against the live test server. Skipped where R with httr and jsonlite is not installed
(Debian: r-base-core r-cran-httr r-cran-jsonlite); REDCapR itself is not packaged by Debian."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.instruments.web.test_response_api import stored

from .conftest import URL

SCRIPT = Path(__file__).parent / "r" / "redcapr_core.R"
RSCRIPT = shutil.which("Rscript")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(RSCRIPT is None, reason="R (r-base-core, r-cran-httr, r-cran-jsonlite) is not installed"),
]


def test_redcapr_reads_and_writes_through_its_kernel_api_calls(live_server, alpha, make_persona, token_of):
    pi = make_persona("pi", all_sites=True)
    stored(alpha.participant_a, pi)
    key = token_of(pi, alpha.study)
    run = subprocess.run(
        [RSCRIPT, str(SCRIPT), live_server.url + URL, key, "ALPHA-B-0001"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["record_id_field"] == "record_id" and out["first_metadata_field"] == "record_id"
    assert (out["is_longitudinal"], out["has_repeating"]) == ("1", "1")
    assert out["dag_status"] == 200 and out["ids"] == "ALPHA-A-0001"
    assert (out["write_status"], out["written_ids"]) == (200, "ALPHA-B-0001")
    assert out["read_status"] == 200
    assert out["read_columns"] == [
        "record_id",
        "redcap_event_name",
        "redcap_repeat_instrument",
        "redcap_repeat_instance",
        "phq9_phq9_1",
        "phq9_phq9_2",
        "phq9_total",
    ]
    assert (out["phq9_1"], out["total"]) == ("2", "4")  # the two answers entered, scored by the server
    assert out["arms"] == "Arm 1"
    assert (out["bad_status"], out["bad_text"]) == (403, "ERROR: You do not have permissions to use the API")
