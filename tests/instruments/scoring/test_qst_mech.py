"""von Frey QST: means across the five sites (all five needed) and lumbar minus mean of measured arms."""

import pytest

from instruments.scoring import score

SITES = ["left_leg", "right_leg", "lumbar", "left_arm", "right_arm"]


def responses(detection, pain, unpleasantness):
    values = {}
    for n, site in enumerate(SITES):
        values[f"qst_mech_{site}_detection"] = detection[n]
        values[f"qst_mech_{site}_pain"] = pain[n]
        values[f"qst_mech_{site}_unpleasantness"] = unpleasantness[n]
    return values


TYPICAL = ([1.0, 2.0, 4.0, 0.4, 0.6], [60, 100, 26, 15, 8], [3, 4, 5, 2, 2])


@pytest.mark.parametrize(
    "values, expected",
    [
        # detection mean 8.0/5 = 1.6, lumbar 4.0 - arms 0.5 = 3.5; pain mean 209/5 = 41.8,
        # lumbar 26 - arms 11.5 = 14.5; unpleasantness 16/5 = 3.2
        (
            TYPICAL,
            {
                "detection_mean": 1.6,
                "detection_lumbar_minus_arm": 3.5,
                "pain_mean": 41.8,
                "pain_lumbar_minus_arm": 14.5,
                "unpleasantness_mean": 3.2,
            },
        ),
        (
            ([0] * 5, [0] * 5, [0] * 5),
            {
                "detection_mean": 0,
                "detection_lumbar_minus_arm": 0,
                "pain_mean": 0,
                "pain_lumbar_minus_arm": 0,
                "unpleasantness_mean": 0,
            },
        ),
        (
            ([300] * 5, [300] * 5, [10] * 5),
            {
                "detection_mean": 300,
                "detection_lumbar_minus_arm": 0,
                "pain_mean": 300,
                "pain_lumbar_minus_arm": 0,
                "unpleasantness_mean": 10,
            },
        ),
        # thinnest filaments: 0.298 / 5 = 0.0596 -> 0.06 at three decimals
        (
            ([0.008, 0.02, 0.04, 0.07, 0.16], [1] * 5, [1] * 5),
            {
                "detection_mean": 0.06,
                "detection_lumbar_minus_arm": -0.075,
                "pain_mean": 1,
                "pain_lumbar_minus_arm": 0,
                "unpleasantness_mean": 1,
            },
        ),
    ],
)
def test_it_summarises_thresholds_across_sites(values, expected):
    assert score("qst_mech", responses(*values)) == expected


def test_it_uses_the_one_measured_arm_but_gives_no_mean_when_a_site_is_missing():
    detection = [1.0, 2.0, 4.0, 0.4, None]
    result = score("qst_mech", responses(detection, TYPICAL[1], TYPICAL[2]))
    assert (result["detection_mean"], result["detection_lumbar_minus_arm"]) == (None, 3.6)
    assert result["pain_mean"] == 41.8


@pytest.mark.parametrize("lumbar", [None, 301, -1])
def test_it_gives_no_lumbar_contrast_without_a_valid_lumbar_value(lumbar):
    detection = [1.0, 2.0, lumbar, 0.4, 0.6]
    result = score("qst_mech", responses(detection, TYPICAL[1], TYPICAL[2]))
    assert (result["detection_mean"], result["detection_lumbar_minus_arm"]) == (None, None)


def test_it_gives_no_arm_contrast_when_both_arms_are_missing():
    pain = [60, 100, 26, None, None]
    assert score("qst_mech", responses(TYPICAL[0], pain, TYPICAL[2]))["pain_lumbar_minus_arm"] is None


def test_it_treats_an_unpleasantness_above_10_as_missing():
    ratings = [3, 4, 11, 2, 2]
    assert score("qst_mech", responses(TYPICAL[0], TYPICAL[1], ratings))["unpleasantness_mean"] is None
