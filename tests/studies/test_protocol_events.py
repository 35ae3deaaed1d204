"""The protocol's per-study languages, optional target enrolment and anchors set by an event: parsed, and every
mistake reported with its key path (docs/protocol-format.md, "Languages" and "Anchors set by an event")."""

import pytest

from studies.protocol import ProtocolError
from studies.protocol.anchor_events import check_anchor_items
from studies.protocol.schema import AnchorEvent


def problems_of(parse_text, text):
    with pytest.raises(ProtocolError) as caught:
        parse_text(text)
    return [(p.path, p.message) for p in caught.value.problems]


def only(language: str, value):
    """``value`` with every `{en, zh}` label reduced to ``language``."""
    if isinstance(value, dict):
        if set(value) == {"en", "zh"}:
            return {language: value[language]}
        return {key: only(language, item) for key, item in value.items()}
    if isinstance(value, list):
        return [only(language, item) for item in value]
    return value


def randomised(base):
    base["study"]["design"] = "randomised"
    for arm in base["arms"]:
        arm["ratio"] = 1
    return base


# Languages -----------------------------------------------------------------------------------------------------


def test_a_study_without_languages_needs_both(parse_text, base, to_yaml):
    assert parse_text(to_yaml(base)).study.languages == ("en", "zh")


def test_the_two_protocols_of_the_repository_stay_bilingual(lbpb, admsc):
    for protocol in (lbpb, admsc):
        assert protocol.study.languages == ("en", "zh")
        assert all(v.label.en and v.label.zh for v in protocol.visits)


def test_an_english_only_study_writes_its_labels_in_english_only(parse_text, base, to_yaml):
    base = only("en", base)
    base["study"]["languages"] = ["en"]
    protocol = parse_text(to_yaml(base))
    assert protocol.study.languages == ("en",)
    assert protocol.study.title.en == "x" and protocol.study.title.zh == ""
    assert protocol.visit("baseline").label.zh == ""


def test_a_chinese_only_study_writes_its_labels_in_chinese_only(parse_text, base, to_yaml):
    base = only("zh", base)
    base["study"]["languages"] = ["zh-Hans"]
    protocol = parse_text(to_yaml(base))
    assert protocol.study.languages == ("zh",)
    assert protocol.sites[0].name.en == "" and protocol.sites[0].name.zh == "x"


def test_both_languages_may_be_declared_and_a_label_may_still_give_both(parse_text, base, to_yaml):
    base["study"]["languages"] = ["zh-Hans", "en"]
    assert parse_text(to_yaml(base)).study.languages == ("en", "zh")
    base["study"]["languages"] = ["en"]  # an English-only study may keep a Chinese text it has
    assert parse_text(to_yaml(base)).sites[0].name.zh == "x"


@pytest.mark.parametrize(
    ("languages", "where", "label", "path"),
    [
        (["en"], "site", {"zh": "x"}, "sites[0].name.en"),
        (["zh-Hans"], "site", {"en": "x"}, "sites[0].name.zh"),
        (None, "anchor", {"en": "x"}, "anchors[1].label.zh"),
        (["en"], "criterion", {"zh": "x"}, "eligibility.inclusion[0].text.en"),
    ],
)
def test_a_label_missing_a_declared_language_is_refused_with_its_key_path(
    parse_text, base, to_yaml, languages, where, label, path
):
    if languages:
        base["study"]["languages"] = languages
    target = {
        "site": base["sites"][0],
        "anchor": base["anchors"][1],
        "criterion": base["eligibility"]["inclusion"][0],
    }[where]
    target["text" if where == "criterion" else "name" if where == "site" else "label"] = label
    assert (path, "missing required key") in problems_of(parse_text, to_yaml(base))


def test_an_empty_label_in_a_declared_language_is_refused(parse_text, base, to_yaml):
    base = only("en", base)
    base["study"]["languages"] = ["en"]
    base["visits"][1]["label"] = {"en": ""}
    problems = problems_of(parse_text, to_yaml(base))
    assert ("visits[1].label.en", "the label is empty; this study requires it in this language") in problems


@pytest.mark.parametrize(
    ("value", "path", "fragment"),
    [
        (["fr"], "study.languages[0]", "unknown language 'fr'; this server offers en and zh-Hans"),
        (["en", "zh"], "study.languages[1]", "unknown language 'zh'"),
        ([], "study.languages", "expected a list of languages"),
        ("en", "study.languages", "expected a list of languages"),
    ],
)
def test_an_unknown_language_is_refused(parse_text, base, to_yaml, value, path, fragment):
    base["study"]["languages"] = value
    problems = problems_of(parse_text, to_yaml(base))
    assert any(p == path and fragment in m for p, m in problems), problems


# Target enrolment ----------------------------------------------------------------------------------------------


def test_target_enrolment_may_be_left_out(parse_text, base, to_yaml):
    del base["study"]["target_enrolment"]
    assert parse_text(to_yaml(base)).study.target_enrolment is None


def test_a_target_enrolment_that_is_given_must_still_be_a_positive_integer(parse_text, base, to_yaml):
    base["study"]["target_enrolment"] = 0
    assert ("study.target_enrolment", "must be 1 or more, got 0") in problems_of(parse_text, to_yaml(base))


# Anchors set by an event ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("set_by", "expected"),
    [
        ("randomisation", AnchorEvent("randomisation")),
        ("consent", AnchorEvent("consent")),
        ("enrolment", AnchorEvent("enrolment")),
        ({"instrument": "bpi", "item": "bpi_date"}, AnchorEvent("crf", "bpi", "bpi_date")),
    ],
)
def test_an_anchor_may_be_set_by_an_event(parse_text, base, to_yaml, set_by, expected):
    randomised(base)["anchors"][1]["set_by"] = set_by
    assert parse_text(to_yaml(base)).anchor("treatment").set_by == expected
    assert parse_text(to_yaml(base)).anchor("enrolment").set_by is None


def test_an_anchor_set_by_randomisation_may_have_an_expected_date_until_then(parse_text, base, to_yaml):
    randomised(base)["anchors"][1].update(set_by="randomisation", expected={"anchor": "enrolment", "offset_days": 7})
    anchor = parse_text(to_yaml(base)).anchor("treatment")
    assert anchor.set_by == AnchorEvent("randomisation") and anchor.expected.offset_days == 7


def _second_anchor_on_bpi(base):
    base["anchors"].append({"code": "surgery", "label": {"en": "x", "zh": "x"}, "set_by": dict(BPI_ITEM)})
    base["anchors"][1]["set_by"] = dict(BPI_ITEM)


BPI_ITEM = {"instrument": "bpi", "item": "bpi_date"}
SET_BY_ERRORS = [
    (
        lambda b: b["anchors"][1].update(set_by="randomization"),
        "anchors[1].set_by",
        "unknown event 'randomization' (did you mean 'randomisation'?)",
    ),
    (
        lambda b: b["anchors"][1].update(set_by="surgery"),
        "anchors[1].set_by",
        "unknown event 'surgery'; use randomisation, consent, enrolment or {instrument, item}",
    ),
    (
        lambda b: b["anchors"][1].update(set_by=["consent"]),
        "anchors[1].set_by",
        "expected a mapping, got a list",
    ),
    (
        lambda b: b["anchors"][1].update(set_by={"instrument": "bpi"}),
        "anchors[1].set_by.item",
        "missing required key",
    ),
    (
        lambda b: b["anchors"][1].update(set_by={"instrument": "bpi", "item": "bpi_date", "visit": "baseline"}),
        "anchors[1].set_by.visit",
        "unknown key 'visit'",
    ),
    (
        lambda b: b["anchors"][1].update(set_by="randomisation"),  # minimal() is observational
        "anchors[1].set_by",
        "set by randomisation, but the study's design is not randomised",
    ),
    (
        lambda b: b["anchors"][1].update(set_by={"instrument": "phq9", "item": "phq9_date"}),
        "anchors[1].set_by.instrument",
        "instrument 'phq9' is not scheduled at any visit of this protocol",
    ),
    (
        # odi is given only at w2, which hangs from this very anchor: its date could never be entered.
        lambda b: b["anchors"][1].update(set_by={"instrument": "odi", "item": "odi_date"}),
        "anchors[1].set_by.instrument",
        "instrument 'odi' is scheduled only at visits that wait for this anchor's date",
    ),
    (_second_anchor_on_bpi, "anchors[2].set_by", "item 'bpi_date' of 'bpi' already sets anchor 'treatment'"),
    (
        lambda b: b["anchors"][0].update(set_by="consent"),
        "anchors[0].set_by",
        "the enrolment anchor is always set by enrolment; remove `set_by`",
    ),
    (
        lambda b: b["anchors"][1].update(set_by="consent", expected={"anchor": "enrolment", "offset_days": 3}),
        "anchors[1].expected",
        "an anchor set by consent always has its date once visits are projected; remove `expected`",
    ),
    (
        lambda b: b["anchors"][1].update(set_by="enrolment", expected={"anchor": "enrolment", "offset_days": 3}),
        "anchors[1].expected",
        "an anchor set by enrolment always has its date",
    ),
]


@pytest.mark.parametrize(("breaks", "path", "fragment"), SET_BY_ERRORS)
def test_each_set_by_mistake_is_refused_with_its_key_path(parse_text, base, to_yaml, breaks, path, fragment):
    breaks(base)
    problems = problems_of(parse_text, to_yaml(base))
    assert any(p == path and fragment in m for p, m in problems), problems


def test_a_set_by_item_must_be_a_date_item_of_its_form(parse_text, base, to_yaml):
    base["anchors"][1]["set_by"] = dict(BPI_ITEM)
    protocol = parse_text(to_yaml(base))
    dates = {"bpi": frozenset({"bpi_visit_date"}), "odi": frozenset()}
    problems = check_anchor_items(protocol, dates, filename="mini.yaml")
    assert [(p.file, p.path, p.message) for p in problems] == [
        (
            "mini.yaml",
            "anchors[1].set_by.item",
            "'bpi_date' is not a date item of 'bpi' (did you mean 'bpi_visit_date'?)",
        )
    ]
    assert check_anchor_items(protocol, {"bpi": frozenset({"bpi_date"})}, filename="mini.yaml") == []
    no_dates = check_anchor_items(protocol, {"bpi": frozenset()}, filename="mini.yaml")
    assert [p.message for p in no_dates] == ["'bpi_date' is not a date item of 'bpi' (it has no date items)"]
