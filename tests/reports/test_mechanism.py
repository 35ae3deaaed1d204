"""The pain-mechanism profile (reports.mechanism) of hand-built participants, each expectation worked by hand
from the cut-offs in reports/mechanism/rules.py. Missing scales are unknown, never absent."""

import pytest

from reports.mechanism import ABSENT, POSSIBLE, PRESENT, UNKNOWN, profile


def by_domain(result):
    return {f.domain: f for f in result.indicators + result.drivers}


# A participant with every scale: BPI average 6 (pain), painDETECT 22 (>=19: neuropathic likely), DN4 5 (>=4),
# CSI 45 (>=40: nociplastic possible), PCS 34 (>=30), PHQ-9 12 (>=10), GAD-7 7 (<10), STarT Back high,
# SSD-12 20 (<23), ISI 16 (>=15), PSQI 9 (>5). Nociceptive: pain with other mechanisms -> possible (mixed).
EVERYTHING = {
    "bpi": {"average": 6.0, "severity": 5.5},
    "paindetect": {"total": 22, "band": "likely"},
    "dn4": {"total": 5, "interview": 4},
    "csi": {"total": 45},
    "pcs": {"total": 34},
    "phq9": {"total": 12},
    "gad7": {"total": 7},
    "startback": {"total": 6, "psychosocial": 4, "band": "high"},
    "ssd12": {"total": 20},
    "isi": {"total": 16},
    "psqi": {"total": 9},
}


def test_a_participant_with_every_scale_gets_each_indicator_and_driver_worked_by_hand():
    found = {d: f.status for d, f in by_domain(profile(EVERYTHING)).items()}
    assert found == {
        "nociceptive": POSSIBLE,
        "neuropathic": PRESENT,
        "nociplastic": POSSIBLE,
        "catastrophising": PRESENT,
        "depression": PRESENT,
        "anxiety": ABSENT,
        "psychosocial_risk": PRESENT,
        "somatic_symptoms": ABSENT,
        "insomnia": PRESENT,
        "poor_sleep": PRESENT,
    }


def test_the_finding_names_the_rule_and_source_that_placed_it():
    neuropathic = by_domain(profile(EVERYTHING))["neuropathic"]
    rules = [(r.cutoff.rule, r.observed, r.cutoff.source) for r in neuropathic.placed_by]
    assert rules == [("PAINDETECT total >= 19", 22.0, "Freynhagen 2006"), ("DN4 total >= 4", 5.0, "Bouhassira 2005")]


def test_a_participant_with_no_scales_is_unknown_everywhere_never_absent():
    result = profile({})
    assert {f.status for f in result.indicators + result.drivers} == {UNKNOWN}
    assert all(f.placed_by == () for f in result.indicators + result.drivers)


def test_missing_scales_stay_unknown_beside_the_scored_ones():
    # Only BPI (average 4) and PHQ-9 (9, below 10) were scored.
    found = {d: f.status for d, f in by_domain(profile({"bpi": {"average": 4}, "phq9": {"total": 9}})).items()}
    assert found["depression"] == ABSENT
    assert found["neuropathic"] == UNKNOWN
    assert found["nociplastic"] == UNKNOWN
    # Pain, but neither other mechanism read: nociceptive cannot be placed by exclusion.
    assert found["nociceptive"] == UNKNOWN
    assert found["catastrophising"] == UNKNOWN
    assert found["insomnia"] == UNKNOWN


def test_pain_with_both_other_mechanisms_ruled_out_is_nociceptive():
    # BPI average 5; painDETECT 8 (<=12 unlikely); CSI 25 (<40).
    result = by_domain(profile({"bpi": {"average": 5}, "paindetect": {"total": 8}, "csi": {"total": 25}}))
    assert result["nociceptive"].status == PRESENT
    assert result["neuropathic"].status == ABSENT
    assert result["nociplastic"].status == ABSENT


def test_no_pain_is_not_nociceptive():
    result = by_domain(profile({"bpi": {"average": 0}, "vas": {"total": 0}, "paindetect": {"total": 3}}))
    assert result["nociceptive"].status == ABSENT


@pytest.mark.parametrize(
    "total, expected",
    [(12, ABSENT), (13, POSSIBLE), (18, POSSIBLE), (19, PRESENT), (-1, ABSENT)],
)
def test_paindetect_bands_at_their_edges(total, expected):
    assert by_domain(profile({"paindetect": {"total": total}}))["neuropathic"].status == expected


@pytest.mark.parametrize(
    "scores, expected",
    [
        ({"dn4": {"total": 3, "interview": 2}}, ABSENT),
        ({"dn4": {"total": 3, "interview": 3}}, POSSIBLE),  # DN4-interview alone >= 3
        ({"dn4": {"total": 4, "interview": 3}}, PRESENT),
        ({"dn4": {"total": None, "interview": None}}, UNKNOWN),  # an unscored form is not a negative screen
    ],
)
def test_dn4_total_and_interview(scores, expected):
    assert by_domain(profile(scores))["neuropathic"].status == expected


@pytest.mark.parametrize(
    "domain, instrument, score, below, at",
    [
        ("nociplastic", "csi", "total", 39, 40),
        ("catastrophising", "pcs", "total", 29, 30),
        ("depression", "phq9", "total", 9, 10),
        ("anxiety", "gad7", "total", 9, 10),
        ("somatic_symptoms", "ssd12", "total", 22, 23),
        ("insomnia", "isi", "total", 14, 15),
        ("poor_sleep", "psqi", "total", 5, 6),
    ],
)
def test_each_cutoff_at_its_edge(domain, instrument, score, below, at):
    assert by_domain(profile({instrument: {score: below}}))[domain].status == ABSENT
    assert by_domain(profile({instrument: {score: at}}))[domain].status in (PRESENT, POSSIBLE)


@pytest.mark.parametrize("band, expected", [("low", ABSENT), ("medium", ABSENT), ("high", PRESENT), (None, UNKNOWN)])
def test_startback_risk_group(band, expected):
    assert by_domain(profile({"startback": {"band": band}}))["psychosocial_risk"].status == expected


def test_a_text_where_a_number_belongs_is_unknown_not_absent():
    assert by_domain(profile({"phq9": {"total": "n/a"}}))["depression"].status == UNKNOWN
