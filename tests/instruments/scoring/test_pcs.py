import pytest

from instruments.scoring import score


def answers(values):
    return {f"pcs_{n}": v for n, v in enumerate(values, start=1) if v is not None}


def answers_summing_to(total):
    values = []
    for _ in range(13):
        step = min(4, total)
        values.append(step)
        total -= step
    return answers(values)


def test_it_scores_total_and_sullivan_subscales_for_a_typical_form():
    result = score("pcs", answers([2, 3, 1, 2, 3, 1, 0, 4, 3, 2, 3, 1, 2]))
    assert result == {
        "total": 27,
        "rumination": 12,
        "magnification": 3,
        "helplessness": 12,
        "band": "not_clinically_relevant",
    }


@pytest.mark.parametrize(
    "value, total, rumination, magnification, helplessness",
    [(0, 0, 0, 0, 0), (4, 52, 16, 12, 24)],
)
def test_it_scores_the_ends_of_the_scale(value, total, rumination, magnification, helplessness):
    result = score("pcs", answers([value] * 13))
    assert (result["total"], result["rumination"], result["magnification"], result["helplessness"]) == (
        total,
        rumination,
        magnification,
        helplessness,
    )


@pytest.mark.parametrize("total, band", [(29, "not_clinically_relevant"), (30, "clinically_relevant")])
def test_it_flags_a_total_of_30_as_clinically_relevant(total, band):
    assert score("pcs", answers_summing_to(total))["band"] == band


def test_a_missing_item_blanks_the_total_and_its_subscale_only():
    result = score("pcs", answers([2, 3, 1, 2, 3, 1, None, 4, 3, 2, 3, 1, 2]))
    assert result == {
        "total": None,
        "rumination": 12,
        "magnification": None,
        "helplessness": 12,
        "band": None,
    }


def test_it_treats_an_out_of_range_item_as_missing():
    result = score("pcs", answers([2, 3, 1, 2, 3, 1, 0, 5, 3, 2, 3, 1, 2]))
    assert result["total"] is None
    assert result["rumination"] is None
