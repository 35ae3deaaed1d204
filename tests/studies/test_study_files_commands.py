"""A new study's files load in either order: load_instruments before the protocol, or load_protocol --instruments."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from instruments.models import StudyInstrument
from instruments.registry import get_instrument
from studies.models import ProtocolVersion, Study
from studies.selectors import current_protocol
from tests.protocol_text import protocol_head

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "study_files"
pytestmark = pytest.mark.django_db


def protocol_file(tmp_path, instruments: str = "[nrs, walk6, phq9]", code: str = "gamma") -> Path:
    text = (
        protocol_head(code=code)
        + f"""visits:
  - code: baseline
    label: {{en: "Baseline", zh: "基线"}}
    anchor: enrolment
    offset_days: 0
    window_before: 0
    window_after: 7
    activities:
      instruments: {instruments}
"""
    )
    path = tmp_path / f"{code}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_load_instruments_works_before_the_protocol_and_the_protocol_then_names_them(tmp_path):
    out, _err = run(
        "load_instruments",
        str(FILES / "store_nrs.yaml"),
        str(FILES / "store_walk.yaml"),
        "--study",
        "gamma",
        "--languages",
        "en",
    )
    assert "gamma: stored nrs 1.0" in out and "gamma: stored walk6 1.0" in out
    assert not Study.objects.exists()
    out, _err = run("load_protocol", str(protocol_file(tmp_path)))
    assert "gamma.yaml: created GAMMA version 1.0" in out
    protocol = current_protocol(Study.objects.get(code="gamma"))
    assert [a.code for a in protocol.visits[0].activities] == ["nrs", "walk6", "phq9"]


def test_load_instruments_lists_every_problem_with_its_position_and_stores_nothing():
    with pytest.raises(CommandError, match="nothing was stored"):
        run(
            "load_instruments",
            str(FILES / "store_nrs.yaml"),
            str(FILES / "store_broken.yaml"),
            str(FILES / "store_redcap_broken.csv"),
            "--study",
            "gamma",
        )
    assert not StudyInstrument.objects.exists()


def test_load_instruments_writes_the_problems_to_stderr():
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_instruments", str(FILES / "store_broken.yaml"), "--study", "gamma", stderr=err)
    assert "store_broken.yaml: kind: must be one of scale, crf" in err.getvalue()
    assert "store_broken.yaml: items[1].type: unknown type 'colour'" in err.getvalue()


def test_an_unknown_language_is_refused():
    with pytest.raises(CommandError, match="Unknown language fr"):
        run("load_instruments", str(FILES / "store_nrs.yaml"), "--study", "gamma", "--languages", "fr")


def test_load_protocol_with_instruments_loads_both_in_one_step(tmp_path):
    out, _err = run(
        "load_protocol",
        str(protocol_file(tmp_path)),
        "--instruments",
        str(FILES / "store_nrs.yaml"),
        str(FILES / "store_walk.yaml"),
        "--languages",
        "en",
    )
    assert "gamma: stored instrument nrs 1.0" in out and "gamma.yaml: created GAMMA version 1.0" in out
    assert get_instrument("walk6", study="gamma").items[0].unit == "m"


def test_a_protocol_naming_an_unknown_code_lists_it_with_its_key_path_and_stores_no_instrument(tmp_path):
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "load_protocol",
            str(protocol_file(tmp_path, "[nrs, nrs_typo]")),
            "--instruments",
            str(FILES / "store_nrs.yaml"),
            stderr=err,
            stdout=StringIO(),
        )
    assert "gamma.yaml" in err.getvalue() and "unknown instrument 'nrs_typo'" in err.getvalue()
    assert "visits[0].activities.instruments[1]" in err.getvalue()
    assert not StudyInstrument.objects.exists() and not ProtocolVersion.objects.exists()


def test_a_broken_instrument_file_stops_the_protocol_too(tmp_path):
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "load_protocol",
            str(protocol_file(tmp_path, "[nrs]")),
            "--instruments",
            str(FILES / "store_nrs.yaml"),
            str(FILES / "store_broken.yaml"),
            stderr=err,
            stdout=StringIO(),
        )
    assert "store_broken.yaml: kind: must be one of scale, crf" in err.getvalue()
    assert not Study.objects.exists() and not StudyInstrument.objects.exists()


def test_a_study_instrument_is_known_only_to_its_own_study(tmp_path):
    run("load_instruments", str(FILES / "store_nrs.yaml"), "--study", "delta")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_protocol", str(protocol_file(tmp_path, "[nrs]")), stderr=err, stdout=StringIO())
    assert "unknown instrument 'nrs'" in err.getvalue()
