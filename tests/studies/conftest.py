"""Shared fixtures for the protocol tests: the fixed code lists and a minimal valid protocol."""

from pathlib import Path

import pytest
import yaml

from studies.protocol import parse_protocol

ROOT = Path(__file__).resolve().parents[2]

# The fixed instrument codes the protocols may use (definitions are written in instruments/library/).
INSTRUMENTS = {
    "bpi",
    "odi",
    "pcs",
    "psqi",
    "isi",
    "hama",
    "hamd",
    "phq9",
    "gad7",
    "sf36",
    "vas",
    "joa",
    "csi",
    "pseq",
    "prs",
    "ucla",
    "ssd12",
    "psq",
    "csq",
    "tcq",
    "pes",
    "cphs",
    "bfrs",
    "fpq",
    "paindetect",
    "dn4",
    "startback",
    "demographics",
    "diet_behaviour",
    "diet_ffq",
    "bowel",
    "sleep_diary",
    "ae_record",
    "qst_mech",
    "qst_elec",
    "tmt",
    "stroop",
    "ant",
    "mst",
    "cogflex",
    "cbc",
    "biochem",
    "imaging_grades",
}
SPECIMENS = {"blood", "stool", "adipose_tissue"}
ACQUISITIONS = {"mri", "psg", "hrv", "emg"}


def parse(text: str, filename: str = "test.yaml"):
    return parse_protocol(
        text,
        filename=filename,
        known_instruments=INSTRUMENTS,
        known_specimens=SPECIMENS,
        known_acquisitions=ACQUISITIONS,
    )


def minimal() -> dict:
    """A small valid protocol as a dict; tests break one thing and dump it back to YAML."""
    label = {"en": "x", "zh": "x"}
    return {
        "format": 1,
        "study": {
            "code": "MINI",
            "title": label,
            "sponsor": label,
            "target_enrolment": 10,
            "design": "observational",
            "blinding": "none",
            "protocol_version": "1.0",
            "protocol_date": "2026-01-01",
            "participant_id_pattern": "{study}-{site}-{seq:04d}",
        },
        "sites": [{"code": "01", "name": label}],
        "arms": [{"code": "a", "name": label}, {"code": "b", "name": label}],
        "anchors": [{"code": "enrolment", "label": label}, {"code": "treatment", "label": label}],
        "visits": [
            {
                "code": "baseline",
                "label": label,
                "anchor": "enrolment",
                "offset_days": 0,
                "window_before": 0,
                "window_after": 7,
                "activities": {"instruments": ["bpi"], "specimens": ["blood"], "acquisitions": ["mri"]},
            },
            {
                "code": "w2",
                "label": label,
                "anchor": "treatment",
                "offset_days": 14,
                "window_before": 3,
                "window_after": 3,
                "activities": {"instruments": ["odi"]},
            },
            {
                "code": "m1",
                "label": label,
                "anchor": "treatment",
                "offset_days": 30,
                "window_before": 7,
                "window_after": 7,
            },
        ],
        "eligibility": {
            "fields": [{"code": "age", "label": label, "type": "integer"}],
            "inclusion": [
                {"code": "inc_age", "text": label, "rule": {"field": "age", "op": "between", "value": [18, 65]}}
            ],
        },
    }


def dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="session")
def lbpb():
    return parse((ROOT / "protocols/lbpb.yaml").read_text(encoding="utf-8"), "lbpb.yaml")


@pytest.fixture(scope="session")
def admsc():
    return parse((ROOT / "protocols/admsc_dlbp.yaml").read_text(encoding="utf-8"), "admsc_dlbp.yaml")


@pytest.fixture
def parse_text():
    return parse


@pytest.fixture
def base():
    """A fresh minimal protocol dict per test."""
    return minimal()


@pytest.fixture
def to_yaml():
    return dump
