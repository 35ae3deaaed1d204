"""Electrical QST: same summaries as von Frey QST, thresholds in volts (0-110 V), one decimal."""

import pytest

from instruments.scoring import score

SITES = ["left_leg", "right_leg", "lumbar", "left_arm", "right_arm"]


def responses(detection, pain, unpleasantness):
    values = {}
    for n, site in enumerate(SITES):
        values[f"qst_elec_{site}_detection"] = detection[n]
        values[f"qst_elec_{site}_pain"] = pain[n]
        values[f"qst_elec_{site}_unpleasantness"] = unpleasantness[n]
    return values


@pytest.mark.parametrize(
    "values, expected",
    [
        # detection 72/5 = 14.4, lumbar 8 - 21 = -13; pain 245/5 = 49, 30 - 65 = -35;
        # unpleasantness 24/5 = 4.8
        (
            ([10, 12, 8, 20, 22], [40, 45, 30, 60, 70], [5, 5, 6, 4, 4]),
            {
                "detection_mean": 14.4,
                "detection_lumbar_minus_arm": -13,
                "pain_mean": 49,
                "pain_lumbar_minus_arm": -35,
                "unpleasantness_mean": 4.8,
            },
        ),
        (
            ([110] * 5, [110] * 5, [10] * 5),
            {
                "detection_mean": 110,
                "detection_lumbar_minus_arm": 0,
                "pain_mean": 110,
                "pain_lumbar_minus_arm": 0,
                "unpleasantness_mean": 10,
            },
        ),
        # 111 V is beyond the stimulator: missing, so no mean; arms still give the contrast
        (
            ([10, 12, 8, 20, 111], [40, 45, 30, 60, 70], [5, 5, 6, 4, 4]),
            {
                "detection_mean": None,
                "detection_lumbar_minus_arm": -12,
                "pain_mean": 49,
                "pain_lumbar_minus_arm": -35,
                "unpleasantness_mean": 4.8,
            },
        ),
    ],
)
def test_it_summarises_electrical_thresholds_across_sites(values, expected):
    assert score("qst_elec", responses(*values)) == expected


def test_it_scores_an_empty_form_as_all_none():
    assert set(score("qst_elec", {}).values()) == {None}
