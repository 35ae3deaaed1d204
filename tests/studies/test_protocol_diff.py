"""diff_protocols: amendments to LBPB read as plain sentences."""

from pathlib import Path

import pytest

from studies.protocol import diff_protocols

LBPB_TEXT = (Path(__file__).resolve().parents[2] / "protocols/lbpb.yaml").read_text(encoding="utf-8")


def amended(parse_text, *replacements):
    text = LBPB_TEXT
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return parse_text(text, "lbpb.yaml")


def test_the_same_protocol_has_no_changes(lbpb, parse_text):
    assert diff_protocols(lbpb, parse_text(LBPB_TEXT)) == []


def test_it_reports_a_changed_window_and_version(lbpb, parse_text):
    new = amended(
        parse_text,
        ('protocol_version: "1.0"', 'protocol_version: "1.1"'),
        ("offset_days: 90\n    window_before: 14", "offset_days: 91\n    window_before: 21"),
    )
    assert [str(c) for c in diff_protocols(lbpb, new)] == [
        "study changed: protocol_version 1.0 -> 1.1",
        "visit 'm3' changed: offset_days 90 -> 91",
        "visit 'm3' changed: window_before 14 -> 21",
    ]


def test_it_reports_an_activity_added_and_removed_at_a_visit(lbpb, parse_text):
    new = amended(parse_text, ("      instruments: [bpi, pcs]\n", "      instruments: [bpi, dn4]\n"))
    assert [str(c) for c in diff_protocols(lbpb, new)] == [
        "activity 'dn4' at visit 'w1' added",
        "activity 'pcs' at visit 'w1' removed",
    ]


def test_it_reports_a_visit_added_and_a_criterion_changed(lbpb, parse_text):
    new = amended(
        parse_text,
        ("value: [18, 80]}", "value: [18, 65]}"),
        (
            '  # "Functional MRI',
            "  - {code: m24, label: {en: 24 months, zh: 治疗后24个月}, anchor: treatment_start,\n"
            '     offset_days: 730, window_before: 30, window_after: 30}\n  # "Functional MRI',
        ),
    )
    assert [str(c) for c in diff_protocols(lbpb, new)] == [
        "visit 'm24' added",
        "criterion 'inc_age' changed: rule {field=age, op=between, value=[18, 80]} -> "
        "{field=age, op=between, value=[18, 65]}",
    ]


def test_it_refuses_to_compare_two_different_studies(lbpb, admsc):
    with pytest.raises(ValueError, match="different studies"):
        diff_protocols(lbpb, admsc)
