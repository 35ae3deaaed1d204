"""HAM-D item 16 (loss of weight): the ECDEU form's 3, "not assessed", counts 0 (definition 1.1)."""

from instruments.definitions import clean_responses, compute
from instruments.registry import get_instrument

# A typical rating (total_17 17, total 18), with item 16 at 0.
TYPICAL = [2, 1, 0, 2, 1, 1, 2, 1, 1, 2, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0]


def answers(**changes):
    raw = {f"hamd_{n}": str(value) for n, value in enumerate(TYPICAL, start=1)}
    return raw | changes


def test_version_1_1_takes_not_assessed_for_item_16_and_counts_it_0():
    hamd = get_instrument("hamd", "1.1")
    cleaned = clean_responses(hamd, answers(hamd_16="3"), complete=True)
    assert cleaned.ok and cleaned.values["hamd_16"] == 3  # the answer keeps what was said
    assert compute(hamd, cleaned.values) == {"total": 18, "total_17": 17, "band": "moderate"}
    rated = clean_responses(hamd, answers(hamd_16="2"), complete=True)
    assert compute(hamd, rated.values) == {"total": 20, "total_17": 19, "band": "moderate"}


def test_only_item_16_has_a_not_assessed_code():
    hamd = get_instrument("hamd", "1.1")
    assert not clean_responses(hamd, answers(hamd_17="3"), complete=True).ok


def test_version_1_0_still_reads_and_still_refuses_3():
    old = get_instrument("hamd", "1.0")
    assert "hamd_16" in clean_responses(old, answers(hamd_16="3"), complete=True).errors
    assert get_instrument("hamd").version == "1.1"  # new forms use the new version
