import pytest

from instruments.scoring import score

INTERFERENCE = [f"bpi_9{letter}" for letter in "abcdefg"]


def severity(worst, least, average, now):
    items = {"bpi_3": worst, "bpi_4": least, "bpi_5": average, "bpi_6": now}
    return {code: v for code, v in items.items() if v is not None}


def interference(*values):
    return {code: v for code, v in zip(INTERFERENCE, values, strict=True) if v is not None}


def test_it_scores_a_typical_form():
    responses = severity(8, 2, 5, 4) | interference(5, 6, 4, 7, 3, 8, 2) | {"bpi_1": 1, "bpi_8": 30}
    assert score("bpi", responses) == {
        "severity": 4.75,
        "interference": 5,
        "worst": 8,
        "least": 2,
        "average": 5,
        "now": 4,
    }


@pytest.mark.parametrize("value", [0, 10])
def test_it_scores_the_ends_of_the_scale(value):
    result = score("bpi", severity(value, value, value, value) | interference(*[value] * 7))
    assert result["severity"] == value
    assert result["interference"] == value


def test_it_averages_interference_when_four_of_seven_are_answered():
    result = score("bpi", interference(4, 6, 5, 7, None, None, None))
    assert result["interference"] == 5.5


def test_it_returns_no_interference_when_only_three_are_answered():
    assert score("bpi", interference(4, 6, 5, None, None, None, None))["interference"] is None


def test_it_needs_all_four_severity_items_but_keeps_the_single_items():
    result = score("bpi", severity(7, None, 5, 3))
    assert result["severity"] is None
    assert (result["worst"], result["least"], result["average"], result["now"]) == (7, None, 5, 3)


@pytest.mark.parametrize("bad", [11, -1, 2.5, "high"])
def test_it_treats_out_of_range_ratings_as_missing(bad):
    result = score("bpi", severity(bad, 2, 5, 4) | interference(bad, bad, bad, bad, 1, 2, 3))
    assert result["worst"] is None
    assert result["severity"] is None
    assert result["interference"] is None
