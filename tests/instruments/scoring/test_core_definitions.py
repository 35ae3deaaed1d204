"""The core scales' YAML definitions agree with their scorers (loaded with yaml.safe_load only)."""

from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml

from instruments.scoring import score

LIBRARY = Path(__file__).resolve().parents[3] / "instruments" / "library"
CODES = ["bpi", "odi", "pcs", "psqi", "isi", "hama", "hamd", "phq9", "gad7", "sf36", "vas", "joa"]


def hamd_range(number):
    if number == 20:
        return range(0, 4)
    return range(0, 3) if number in (4, 5, 6, 12, 13, 14, 16, 17, 18, 21) else range(0, 5)


def sf36_range(number):
    if 3 <= number <= 12:
        return range(1, 4)
    if 13 <= number <= 19:
        return range(1, 3)
    return range(1, 7) if number in (21, 23, 24, 25, 26, 27, 28, 29, 30, 31) else range(1, 6)


def joa_range(number):
    if number <= 3:
        return range(0, 4)
    return [-6, -3, 0] if number == 14 else range(0, 3)


def number_of(code):
    return int("".join(ch for ch in code.split("_")[1] if ch.isdigit()))


# Codes each scorer accepts for its choice items, keyed by instrument, given the item code.
EXPECTED_CODES = {
    "phq9": lambda code: range(0, 4),
    "gad7": lambda code: range(0, 4),
    "isi": lambda code: range(0, 5),
    "pcs": lambda code: range(0, 5),
    "hama": lambda code: range(0, 5),
    "odi": lambda code: range(0, 6),
    "psqi": lambda code: range(0, 4),
    "hamd": lambda code: hamd_range(number_of(code)),
    "sf36": lambda code: sf36_range(number_of(code)),
    "joa": lambda code: joa_range(number_of(code)),
    "bpi": lambda code: range(0, 101, 10),
}


class RecordingResponses(Mapping):
    """Responses that remember every item code a scorer asks for."""

    def __init__(self):
        self.asked = set()

    def __getitem__(self, key):
        self.asked.add(key)
        raise KeyError(key)

    def get(self, key, default=None):
        self.asked.add(key)
        return default

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0


def load(code):
    return yaml.safe_load((LIBRARY / code / "1.0.yaml").read_text(encoding="utf-8"))


def options_of(definition, item):
    options = item.get("options")
    return definition["option_sets"][options] if isinstance(options, str) else options


def bilingual_problems(node, path="$"):
    """Paths of every {en, zh} mapping that lacks one language or has an empty string."""
    problems = []
    if isinstance(node, dict):
        if "en" in node or "zh" in node:
            for lang in ("en", "zh"):
                if not isinstance(node.get(lang), str) or not node[lang].strip():
                    problems.append(f"{path}.{lang}")
        for key, value in node.items():
            problems += bilingual_problems(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            problems += bilingual_problems(value, f"{path}[{index}]")
    return problems


@pytest.mark.parametrize("code", CODES)
def test_the_file_names_its_instrument_and_scorer(code):
    definition = load(code)
    assert definition["code"] == code
    assert definition["version"] == "1.0"
    assert definition["scorer"] == code
    assert definition["licence"] and definition["source"]


@pytest.mark.parametrize("code", CODES)
def test_every_item_the_scorer_reads_exists_in_the_yaml(code):
    responses = RecordingResponses()
    score(code, responses)
    items = {item["code"] for item in load(code)["items"]}
    assert responses.asked, "the scorer read no items"
    assert responses.asked <= items, sorted(responses.asked - items)


@pytest.mark.parametrize("code", CODES)
def test_item_codes_are_unique_and_prefixed_with_the_instrument(code):
    items = [item["code"] for item in load(code)["items"]]
    assert len(items) == len(set(items))
    assert all(item.startswith(f"{code}_") for item in items)


@pytest.mark.parametrize("code", CODES)
def test_choice_options_match_the_codes_the_scorer_accepts(code):
    definition = load(code)
    for item in definition["items"]:
        if item["type"] != "single_choice":
            continue
        got = sorted(option["code"] for option in options_of(definition, item))
        assert got == sorted(EXPECTED_CODES[code](item["code"])), item["code"]


@pytest.mark.parametrize("code", CODES)
def test_every_label_has_english_and_chinese(code):
    definition = load(code)
    assert bilingual_problems(definition) == []
    for item in definition["items"]:
        assert set(item["label"]) == {"en", "zh"}, item["code"]
    for entry in definition["scores"]:
        assert set(entry["label"]) == {"en", "zh"}, entry["name"]


@pytest.mark.parametrize("code", CODES)
def test_the_scores_list_names_exactly_what_the_scorer_returns(code):
    names = {entry["name"] for entry in load(code)["scores"]}
    assert names == set(score(code, {}))


# Every band value each scorer can return (its tests assert them); the YAML must label each one.
BANDS = {
    "phq9": {"minimal", "mild", "moderate", "moderately_severe", "severe"},
    "gad7": {"minimal", "mild", "moderate", "severe"},
    "isi": {"none", "subthreshold", "moderate", "severe"},
    "vas": {"none", "mild", "moderate", "severe"},
    "odi": {"minimal", "moderate", "severe", "crippled", "bed_bound"},
    "pcs": {"not_clinically_relevant", "clinically_relevant"},
    "psqi": {"good", "poor"},
    "hama": {"mild", "mild_to_moderate", "moderate_to_severe", "severe"},
    "hamd": {"none", "mild", "moderate", "severe"},
}


@pytest.mark.parametrize("code", CODES)
def test_every_band_the_scorer_can_return_has_a_label(code):
    entries = {entry["name"]: entry for entry in load(code)["scores"]}
    if code not in BANDS:
        assert "band" not in entries
        return
    assert set(entries["band"]["bands"]) == BANDS[code]


@pytest.mark.parametrize("code", CODES)
def test_show_if_refers_only_to_earlier_items(code):
    seen = set()
    for item in load(code)["items"]:
        for ref in referenced_items(item.get("show_if")):
            assert ref in seen, (item["code"], ref)
        seen.add(item["code"])


def referenced_items(condition):
    if not condition:
        return []
    if "item" in condition:
        return [condition["item"]]
    nested = condition.get("all") or condition.get("any") or [condition.get("not")]
    return [ref for sub in nested for ref in referenced_items(sub)]


@pytest.mark.parametrize(
    "code, item, low, high",
    [
        *[("bpi", f"bpi_{n}", 0, 10) for n in (3, 4, 5, 6)],
        *[("bpi", f"bpi_9{letter}", 0, 10) for letter in "abcdefg"],
        ("vas", "vas_1", 0, 100),
        ("psqi", "psqi_4", 0, 24),
    ],
)
def test_numeric_items_span_the_scorers_range(code, item, low, high):
    found = next(entry for entry in load(code)["items"] if entry["code"] == item)
    assert (found["min"], found["max"]) == (low, high)
