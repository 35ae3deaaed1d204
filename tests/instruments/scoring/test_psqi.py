"""PSQI scored with the Buysse 1989 appendix; every expected value worked by hand."""

import pytest

from instruments.scoring import score

COMPONENTS = [
    "c1_quality",
    "c2_latency",
    "c3_duration",
    "c4_efficiency",
    "c5_disturbance",
    "c6_medication",
    "c7_daytime_dysfunction",
]


def form(**changes):
    """A typical form: in bed 23:00-07:00 (8 h), 20 min to fall asleep, 6.5 h asleep."""
    responses = {
        "psqi_1": "23:00",
        "psqi_2": 20,
        "psqi_3": "07:00",
        "psqi_4": 6.5,
        "psqi_5a": 1,
        "psqi_6": 1,
        "psqi_7": 0,
        "psqi_8": 1,
        "psqi_9": 1,
    }
    responses.update({f"psqi_5{letter}": 1 for letter in "bcdefghi"})
    responses.update(changes)
    return {code: value for code, value in responses.items() if value is not None}


def test_it_scores_a_typical_form():
    # C1 1; C2 20 min -> 1, + 5a 1 = 2 -> 1; C3 6.5 h -> 1; C4 6.5/8 = 81% -> 1;
    # C5 5b-5i sum 8 -> 1; C6 0; C7 1 + 1 = 2 -> 1; global 6 -> poor.
    assert score("psqi", form()) == {
        "c1_quality": 1,
        "c2_latency": 1,
        "c3_duration": 1,
        "c4_efficiency": 1,
        "c5_disturbance": 1,
        "c6_medication": 0,
        "c7_daytime_dysfunction": 1,
        "total": 6,
        "band": "poor",
    }


def test_the_best_sleeper_scores_0():
    best = form(psqi_2=10, psqi_4=8, psqi_5a=0, psqi_6=0, psqi_8=0, psqi_9=0)
    best.update({f"psqi_5{letter}": 0 for letter in "bcdefghij"})
    assert score("psqi", best) == {name: 0 for name in COMPONENTS} | {"total": 0, "band": "good"}


def test_the_worst_sleeper_scores_21():
    worst = form(psqi_2=90, psqi_4=3, psqi_5a=3, psqi_6=3, psqi_7=3, psqi_8=3, psqi_9=3)
    worst.update({f"psqi_5{letter}": 3 for letter in "bcdefghij"})
    assert score("psqi", worst) == {name: 3 for name in COMPONENTS} | {"total": 21, "band": "poor"}


@pytest.mark.parametrize(
    "bedtime, rising, slept, grade",
    [
        ("23:00", "07:00", 6.8, 0),  # 85.0% -> 0 (boundary)
        ("23:00", "07:00", 6.75, 1),  # 84.4% -> 1
        ("22:00", "06:00", 6, 1),  # 75.0% -> 1 (boundary)
        ("22:00", "06:00", 5.9, 2),  # 73.8% -> 2
        ("21:00", "07:00", 6.5, 2),  # 10 h in bed, 65.0% -> 2 (boundary)
        ("21:00", "07:00", 6.4, 3),  # 64.0% -> 3
        ("01:30", "08:30", 6, 0),  # after midnight: 7 h in bed, 85.7% -> 0
        ("00:00", "06:00", 6, 0),  # midnight bedtime: 6 h in bed, 100% -> 0
        ("14:00", "22:00", 6, 1),  # day sleeper: 8 h in bed, 75% -> 1
        ("23:30", "07:15", 8, 0),  # asleep longer than in bed: over 100% -> 0
    ],
)
def test_sleep_efficiency_handles_bedtimes_either_side_of_midnight(bedtime, rising, slept, grade):
    responses = form(psqi_1=bedtime, psqi_3=rising, psqi_4=slept)
    assert score("psqi", responses)["c4_efficiency"] == grade


@pytest.mark.parametrize("hours, grade", [(7.5, 0), (7, 1), (6, 1), (5.9, 2), (5, 2), (4.9, 3), (0, 3)])
def test_sleep_duration_bands_with_7_and_6_hours_scoring_1(hours, grade):
    assert score("psqi", form(psqi_4=hours, psqi_1="20:00", psqi_3="08:00"))["c3_duration"] == grade


@pytest.mark.parametrize(
    "minutes, item_5a, grade",
    [(15, 0, 0), (16, 0, 1), (30, 1, 1), (31, 1, 2), (60, 0, 1), (61, 0, 2), (61, 3, 3), (0, 3, 2)],
)
def test_sleep_latency_adds_the_minutes_score_to_item_5a(minutes, item_5a, grade):
    assert score("psqi", form(psqi_2=minutes, psqi_5a=item_5a))["c2_latency"] == grade


@pytest.mark.parametrize("item_8, item_9, grade", [(0, 0, 0), (1, 0, 1), (2, 0, 1), (2, 1, 2), (2, 2, 2), (3, 2, 3)])
def test_daytime_dysfunction_grades_the_sum_of_items_8_and_9(item_8, item_9, grade):
    assert score("psqi", form(psqi_8=item_8, psqi_9=item_9))["c7_daytime_dysfunction"] == grade


@pytest.mark.parametrize(
    "values, item_5j, grade",
    [
        ([0] * 8, None, 0),
        ([1] + [0] * 7, None, 1),
        ([3, 3, 3, 0, 0, 0, 0, 0], None, 1),
        ([3, 3, 3, 1, 0, 0, 0, 0], None, 2),
        ([3, 3, 3, 3, 3, 3, 0, 0], None, 2),
        ([3, 3, 3, 3, 3, 3, 1, 0], None, 3),
        ([3] * 8, 3, 3),
        ([3, 3, 3, 0, 0, 0, 0, 0], 1, 2),
    ],
)
def test_disturbance_grades_the_sum_of_5b_to_5j(values, item_5j, grade):
    # Sums: 0, 1, 9, 10, 18, 19, 27, 10.
    items = {f"psqi_5{letter}": v for letter, v in zip("bcdefghi", values, strict=True)}
    assert score("psqi", form(**items, psqi_5j=item_5j))["c5_disturbance"] == grade


@pytest.mark.parametrize("total_change, band", [({}, "good"), ({"psqi_7": 1}, "poor")])
def test_a_global_score_of_5_is_good_and_6_is_poor(total_change, band):
    # Typical form minus C1 (0) = 5; adding sleeping medication once a week makes it 6.
    result = score("psqi", form(psqi_6=0, **total_change))
    assert result["band"] == band
    assert result["total"] == (5 if band == "good" else 6)


def test_an_unanswered_other_reason_5j_still_scores():
    assert "psqi_5j" not in form()
    assert score("psqi", form())["total"] == 6


@pytest.mark.parametrize(
    "changes, component",
    [
        ({"psqi_5b": None}, "c5_disturbance"),
        ({"psqi_1": None}, "c4_efficiency"),
        ({"psqi_3": "7 am"}, "c4_efficiency"),
        ({"psqi_1": "25:00"}, "c4_efficiency"),
        ({"psqi_1": "07:00"}, "c4_efficiency"),  # in bed 0 h
        ({"psqi_4": 25}, "c3_duration"),
        ({"psqi_2": None}, "c2_latency"),
        ({"psqi_6": 4}, "c1_quality"),
        ({"psqi_9": None}, "c7_daytime_dysfunction"),
    ],
)
def test_a_missing_component_leaves_the_global_score_unscored(changes, component):
    result = score("psqi", form(**changes))
    assert result[component] is None
    assert result["total"] is None
    assert result["band"] is None
