import pytest

from instruments.scoring import score


@pytest.mark.parametrize(
    "mm, band",
    [
        (0, "none"),
        (4, "none"),
        (4.5, "none"),
        (5, "mild"),
        (44, "mild"),
        (45, "moderate"),
        (74, "moderate"),
        (75, "severe"),
        (100, "severe"),
    ],
)
def test_it_returns_the_millimetres_and_bands_by_jensen_2003(mm, band):
    assert score("vas", {"vas_1": mm}) == {"total": mm, "band": band}


def test_it_keeps_a_typical_value_given_as_text():
    assert score("vas", {"vas_1": "62"}) == {"total": 62, "band": "moderate"}


@pytest.mark.parametrize("bad", [None, "", "abc", -1, 100.5, 101])
def test_it_returns_none_when_missing_or_off_the_line(bad):
    assert score("vas", {"vas_1": bad}) == {"total": None, "band": None}


def test_it_returns_none_when_the_item_is_absent():
    assert score("vas", {}) == {"total": None, "band": None}
