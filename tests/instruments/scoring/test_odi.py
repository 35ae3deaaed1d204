import pytest

from instruments.scoring import score


def answers(values):
    return {f"odi_{n}": v for n, v in enumerate(values, start=1) if v is not None}


def answers_summing_to(raw):
    """Ten answers (0-5) adding up to ``raw``: fives first, then the remainder."""
    values = []
    for _ in range(10):
        step = min(5, raw)
        values.append(step)
        raw -= step
    return answers(values)


@pytest.mark.parametrize(
    "raw, percent, band",
    [
        (0, 0, "minimal"),
        (10, 20, "minimal"),
        (11, 22, "moderate"),
        (20, 40, "moderate"),
        (21, 42, "severe"),
        (30, 60, "severe"),
        (31, 62, "crippled"),
        (40, 80, "crippled"),
        (41, 82, "bed_bound"),
        (50, 100, "bed_bound"),
    ],
)
def test_it_doubles_the_raw_sum_of_ten_sections_and_bands_by_fairbank(raw, percent, band):
    assert score("odi", answers_summing_to(raw)) == {"total": percent, "raw": raw, "band": band}


def test_it_scores_a_typical_profile():
    result = score("odi", answers([2, 1, 3, 2, 2, 1, 1, 0, 2, 1]))
    assert result == {"total": 30, "raw": 15, "band": "moderate"}


def test_it_divides_by_45_when_one_section_is_missed_as_in_fairbank_2000():
    # Fairbank & Pynsent 2000: 16 points with one section missed -> 16 / 45 x 100.
    result = score("odi", answers([2, 2, 2, 2, 2, 2, 2, None, 1, 1]))
    assert result["raw"] == 16
    assert result["total"] == pytest.approx(35.5556, abs=1e-4)
    assert result["band"] == "moderate"


def test_it_reads_a_prorated_index_between_bands_as_the_higher_band():
    # 9 answered, raw 10 -> 22.2%: above 20, so moderate.
    result = score("odi", answers([5, 5, 0, 0, 0, 0, 0, None, 0, 0]))
    assert result["total"] == pytest.approx(22.2222, abs=1e-4)
    assert result["band"] == "moderate"


def test_it_still_scores_with_two_sections_missed():
    result = score("odi", answers([4, 4, 4, 4, 4, 4, 4, None, None, 4]))
    assert result == {"total": 80, "raw": 32, "band": "crippled"}


def test_it_returns_none_when_three_sections_are_missed():
    result = score("odi", answers([4, 4, 4, 4, 4, 4, None, None, None, 4]))
    assert result == {"total": None, "raw": None, "band": None}


def test_it_treats_an_out_of_range_section_as_missed():
    result = score("odi", answers([2, 2, 2, 2, 2, 2, 2, 6, 1, 1]))
    assert result["total"] == pytest.approx(35.5556, abs=1e-4)
