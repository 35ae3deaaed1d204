"""The case report form definitions agree with their scorers and are fully bilingual."""

from pathlib import Path

import pytest
import yaml

from instruments.scoring import SCORERS, score

LIBRARY = Path(__file__).resolve().parents[3] / "instruments" / "library"
SCORED = [
    "demographics",
    "diet_ffq",
    "bowel",
    "sleep_diary",
    "qst_mech",
    "qst_elec",
    "tmt",
    "stroop",
    "ant",
    "mst",
    "cogflex",
    "cbc",
    "biochem",
    "imaging_grades",
]
UNSCORED = [
    "diet_behaviour",
    "ae_record",
    "vital_signs",
    "physical_exam",
    "pregnancy_test",
    "urinalysis",
    "infection_screen",
    "immunology",
    "liposuction",
    "transplantation",
    "conmed",
]
LEVELS = ["l1_l2", "l2_l3", "l3_l4", "l4_l5", "l5_s1"]
FFQ_CORE = [
    "fruits",
    "vegetables",
    "whole_grains",
    "refined_grains",
    "dairy",
    "red_meat",
    "poultry",
    "fish",
    "eggs",
    "legumes",
    "nuts",
]
# (form, choice item) whose codes a scorer relies on -> the codes it expects
EXPECTED_OPTIONS = {
    ("bowel", "bowel_bristol"): set(range(1, 8)),
    ("cbc", "cbc_sex"): {1, 2},
    ("biochem", "biochem_sex"): {1, 2},
    **{("diet_ffq", f"diet_ffq_{group}"): set(range(0, 7)) for group in FFQ_CORE},
    **{("imaging_grades", f"imaging_grades_{level}_modic"): {0, 1, 2, 3} for level in LEVELS},
    **{("imaging_grades", f"imaging_grades_{level}_pfirrmann"): {1, 2, 3, 4, 5} for level in LEVELS},
}


def definition(code):
    return yaml.safe_load((LIBRARY / code / "1.0.yaml").read_text(encoding="utf-8"))


def option_codes(data, item):
    options = item["options"]
    if isinstance(options, str):
        options = data["option_sets"][options]
    return {option["code"] for option in options}


class Recorder(dict):
    """A response mapping that records every key a scorer asks for."""

    def __init__(self):
        super().__init__()
        self.asked = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)


def labels(node, path="$"):
    """Every mapping that carries en or zh text, with where it is."""
    if isinstance(node, dict):
        if "en" in node or "zh" in node:
            yield path, node
        for key, value in node.items():
            yield from labels(value, f"{path}.{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from labels(value, f"{path}[{n}]")


@pytest.mark.parametrize("code", SCORED + UNSCORED)
def test_each_form_is_a_crf_with_its_own_item_prefix(code):
    data = definition(code)
    assert (data["code"], data["kind"], data["version"]) == (code, "crf", "1.0")
    assert all(item["code"].startswith(f"{code}_") for item in data["items"])
    assert data["scorer"] == (code if code in SCORED else None)


@pytest.mark.parametrize("code", SCORED)
def test_the_scorer_reads_only_items_the_form_has(code):
    responses = Recorder()
    score(code, responses)
    items = {item["code"] for item in definition(code)["items"]}
    assert responses.asked and responses.asked <= items, responses.asked - items


@pytest.mark.parametrize("code", SCORED)
def test_the_form_lists_exactly_the_scores_the_scorer_returns(code):
    assert code in SCORERS
    assert {spec["name"] for spec in definition(code)["scores"]} == set(score(code, {}))


@pytest.mark.parametrize("form, item_code", sorted(EXPECTED_OPTIONS))
def test_option_codes_cover_the_range_the_scorer_expects(form, item_code):
    data = definition(form)
    item = next(item for item in data["items"] if item["code"] == item_code)
    assert option_codes(data, item) == EXPECTED_OPTIONS[(form, item_code)]


@pytest.mark.parametrize("code", SCORED + UNSCORED)
def test_every_label_has_english_and_chinese_text(code):
    data = definition(code)
    for item in data["items"]:
        assert "label" in item, item["code"]
    for path, label in labels(data):
        assert isinstance(label.get("en"), str) and label["en"].strip(), path
        assert isinstance(label.get("zh"), str) and label["zh"].strip(), path
