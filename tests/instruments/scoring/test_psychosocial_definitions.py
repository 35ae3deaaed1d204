"""The psychosocial and neuropathic-screening definitions agree with their scorers.

Each YAML is read with yaml.safe_load (independently of the project's loader) and checked for:
the item codes each scorer reads exist, their answer codes or scale range cover exactly the
range the scorer accepts, and every label carries both English and Chinese.
"""

from pathlib import Path

import pytest
import yaml

from instruments.scoring import score

LIBRARY = Path(__file__).resolve().parents[3] / "instruments" / "library"


def codes(prefix, numbers):
    return [f"{prefix}_{n}" for n in numbers]


# code -> [(item codes the scorer reads, lowest accepted answer, highest accepted answer)]
SCORED = {
    "csi": [(codes("csi", range(1, 26)), 0, 4)],
    "pseq": [(codes("pseq", range(1, 11)), 0, 6)],
    "ucla": [(codes("ucla", range(1, 21)), 1, 4)],
    "tcq": [(codes("tcq", range(1, 31)), 1, 4)],
    "ssd12": [(codes("ssd12", range(1, 13)), 0, 4)],
    "startback": [(codes("startback", range(1, 9)), 0, 1), (["startback_9"], 0, 4)],
    "dn4": [(codes("dn4", range(1, 11)), 0, 1)],
    "paindetect": [
        (codes("paindetect", range(6, 13)), 0, 5),
        (["paindetect_4"], 1, 4),
        (["paindetect_5"], 0, 1),
    ],
    "psq": [(codes("psq", range(1, 18)), 0, 10)],
    "prs": [(codes("prs", range(1, 15)), 0, 4)],
    "bfrs": [(codes("bfrs", range(1, 17)), 0, 6)],
    "fpq": [(codes("fpq", range(1, 17)), 0, 10)],
}


def load(code):
    return yaml.safe_load((LIBRARY / code / "1.0.yaml").read_text(encoding="utf-8"))


def answer_range(item, option_sets):
    if item["type"] == "yes_no":
        return 0, 1
    if item["type"] == "integer_scale":
        return item["min"], item["max"]
    options = item["options"]
    options = option_sets[options] if isinstance(options, str) else options
    option_codes = sorted(o["code"] for o in options)
    assert option_codes == list(range(option_codes[0], option_codes[-1] + 1)), item["code"]
    return option_codes[0], option_codes[-1]


def labels(node, path="$"):
    """Every mapping that carries an en or zh key, with where it sits."""
    if isinstance(node, dict):
        if "en" in node or "zh" in node:
            yield path, node
        for key, value in node.items():
            yield from labels(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from labels(value, f"{path}[{index}]")


@pytest.mark.parametrize("code", sorted(SCORED))
def test_it_names_the_scorer_after_the_instrument(code):
    definition = load(code)
    assert definition["code"] == code
    assert definition["scorer"] == code
    assert definition["version"] == "1.0"


@pytest.mark.parametrize("code", sorted(SCORED))
def test_every_item_the_scorer_reads_exists_with_the_scorers_answer_range(code):
    definition = load(code)
    items = {item["code"]: item for item in definition["items"]}
    for item_codes, low, high in SCORED[code]:
        for item_code in item_codes:
            assert item_code in items, item_code
            assert answer_range(items[item_code], definition.get("option_sets", {})) == (low, high), item_code


@pytest.mark.parametrize("code", sorted(SCORED))
def test_item_codes_are_unique_and_prefixed_with_the_instrument_code(code):
    item_codes = [item["code"] for item in load(code)["items"]]
    assert len(item_codes) == len(set(item_codes))
    assert all(c.startswith(f"{code}_") for c in item_codes)


@pytest.mark.parametrize("code", sorted(SCORED))
def test_every_label_has_english_and_chinese(code):
    found = list(labels(load(code)))
    assert found
    for path, label in found:
        assert isinstance(label.get("en"), str) and label["en"].strip(), path
        assert isinstance(label.get("zh"), str) and label["zh"].strip(), path


@pytest.mark.parametrize("code", sorted(SCORED))
def test_every_item_and_score_carries_a_label(code):
    definition = load(code)
    for entry in definition["items"] + definition["scores"]:
        assert set(entry["label"]) >= {"en", "zh"}, entry.get("code", entry.get("name"))
    assert set(definition["title"]) >= {"en", "zh"}


@pytest.mark.parametrize("code", ["csi", "dn4", "paindetect", "startback"])
def test_every_band_the_scorer_can_return_has_a_bilingual_label(code):
    listed = {s["name"]: s.get("bands", {}) for s in load(code)["scores"]}
    examples = {
        "csi": [{f"csi_{n}": v for n in range(1, 26)} for v in range(5)],
        "dn4": [{f"dn4_{n}": v for n in range(1, 11)} for v in (0, 1)],
        "paindetect": [
            {**{f"paindetect_{n}": v for n in range(6, 13)}, "paindetect_4": 1, "paindetect_5": 0} for v in (0, 2, 3)
        ],
        "startback": [
            {**{f"startback_{n}": int(n in agree) for n in range(1, 9)}, "startback_9": 0}
            for agree in (set(), {1, 2, 3, 4}, {5, 6, 7, 8})
        ],
    }[code]
    for responses in examples:
        for name, value in score(code, responses).items():
            if name.endswith("band"):
                assert value in listed[name], (name, value)
