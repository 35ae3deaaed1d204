"""The protocol's `biobank:` block (studies.protocol.specimens): specimen types, limits, the specimen ID pattern."""

import pytest
import yaml

from studies.protocol import ProtocolError
from studies.protocol.specimens import BUILTIN_TYPES, biobank_of, specimen_id
from tests.studies.conftest import minimal, parse

PLASMA = {
    "code": "plasma_before",
    "base": "plasma",
    "label": {"en": "Plasma before the session", "zh": "治疗前血浆"},
    "container": "PED",
    "volume_ml": 0.5,
    "limits": {"centrifuge_within_minutes": 60, "freeze_within_minutes": 120},
    "timing": "before_session",
    "derived_from": "blood",
    "prefix": "PB",
}


def _with(biobank, specimens=("blood",)):
    data = minimal()
    data["biobank"] = biobank
    data["visits"][0]["activities"]["specimens"] = list(specimens)
    return yaml.safe_dump(data, allow_unicode=True)


def _problems(text):
    with pytest.raises(ProtocolError) as error:
        parse(text)
    return [str(p) for p in error.value.problems]


def test_a_study_declares_its_own_type_with_limits_and_a_visit_may_name_it():
    protocol = parse(_with({"specimen_types": [PLASMA], "freeze_thaw_limit": 2}, ["blood", "plasma_before"]))
    biobank = biobank_of(protocol)
    plasma = biobank.specimen_type("plasma_before")
    assert plasma.limits.centrifuge_within_minutes == 60
    assert plasma.timing == "before_session"
    assert plasma.sprec_type == "PL1"
    assert biobank.freeze_thaw_limit == 2
    assert biobank.specimen_type("blood") == BUILTIN_TYPES["blood"]
    assert [a.code for a in protocol.visits[0].activities if a.kind == "specimen"] == ["blood", "plasma_before"]


def test_a_built_in_type_may_be_redefined_by_code_alone():
    protocol = parse(_with({"specimen_types": [{"code": "blood", "limits": {"centrifuge_within_minutes": 30}}]}))
    blood = biobank_of(protocol).specimen_type("blood")
    assert blood.limits.centrifuge_within_minutes == 30
    assert blood.limits.freeze_within_minutes is None  # the block replaces the limits as a whole
    assert blood.label == BUILTIN_TYPES["blood"].label


def test_an_unknown_specimen_at_a_visit_is_reported_with_a_suggestion():
    problems = _problems(_with({"specimen_types": [PLASMA]}, ["plasma_befor"]))
    assert any("unknown specimen 'plasma_befor' (did you mean 'plasma_before'?)" in p for p in problems)


def test_an_unknown_base_type_names_the_allowed_ones():
    problems = _problems(_with({"specimen_types": [{**PLASMA, "base": "lymph"}]}))
    assert any("biobank.specimen_types[0].base: must be one of whole_blood, plasma" in p for p in problems)


def test_a_pattern_with_participant_data_is_refused():
    problems = _problems(_with({"specimen_id_pattern": "{participant}-{seq:04d}"}))
    assert any("a specimen ID may use only {study}, {prefix} and {seq}" in p for p in problems)


def test_a_pattern_without_a_sequence_is_refused():
    assert any("needs the sequence field" in p for p in _problems(_with({"specimen_id_pattern": "{study}-X"})))


def test_a_type_declared_twice_and_an_unknown_parent_are_reported():
    problems = _problems(_with({"specimen_types": [PLASMA, {**PLASMA, "derived_from": "lymph"}]}))
    assert any("declared twice" in p for p in problems)
    assert any("derived_from: unknown specimen 'lymph'" in p for p in problems)


def test_a_protocol_without_the_block_gets_the_defaults():
    biobank = biobank_of(parse(yaml.safe_dump(minimal())))
    assert biobank.types == ()
    assert specimen_id(biobank.specimen_id_pattern, study="LBPB", prefix="BL", seq=7) == "LBPB-BL000007"


def test_release_criteria_are_read_and_default_to_the_seed_s():
    criteria = [
        {"code": "cd73", "label": {"en": "CD73+", "zh": "CD73阳性"}, "minimum": 90},
        {"code": "myco", "label": {"en": "Mycoplasma", "zh": "支原体"}, "expect": "negative"},
    ]
    declared = biobank_of(parse(_with({"release_criteria": criteria}))).release_criteria
    assert [(c.code, c.minimum, c.expect) for c in declared] == [("cd73", 90, None), ("myco", None, "negative")]
    default = biobank_of(parse(yaml.safe_dump(minimal()))).release_criteria
    assert [c.code for c in default] == ["cd44", "cd73", "cd29", "cd45", "sterility", "mycoplasma", "karyotype"]


def test_a_release_criterion_with_both_a_number_and_an_outcome_is_refused():
    bad = {"code": "x", "label": {"en": "X", "zh": "X"}, "minimum": 1, "expect": "pass"}
    assert any("either `expect` or `minimum`/`maximum`" in p for p in _problems(_with({"release_criteria": [bad]})))
