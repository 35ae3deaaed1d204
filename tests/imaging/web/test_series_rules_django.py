"""`series_rules` in the protocol file: validated with key paths, tried ahead of the default labels."""

import pydicom
import pytest

from imaging.models import DicomSeries
from studies.protocol import ProtocolError
from studies.selectors import parse_protocol_text
from tests.imaging.web.conftest import MRI_PROTOCOL, named
from tests.matrix.instruments import attach_protocol

PHILIPS_RULES = """
series_rules:
  - label: lumbar_t2_sag
    match: "^t2w_tse_sag"
    tr_min_ms: 1000
  - {label: t1w, image_type: LOCALIZER}
"""


def philips_file(dicomdir_tree, tmp_path):
    """A real MR slice re-described as Philips writes a sagittal T2 TSE (no body part in the name)."""
    dataset = pydicom.dcmread(sorted((dicomdir_tree / "98892003" / "MR700").iterdir())[0])
    dataset.Manufacturer, dataset.SeriesDescription, dataset.ProtocolName = "Philips", "T2W_TSE_SAG", "WIP T2W_TSE"
    dataset.RepetitionTime, dataset.EchoTime = 3000, 100
    path = tmp_path / "philips.dcm"
    dataset.save_as(path)
    return path


def test_series_rules_are_read_with_their_key_paths():
    protocol = parse_protocol_text(MRI_PROTOCOL + PHILIPS_RULES, filename="alpha.yaml")
    first = protocol.series_rules[0]
    assert (first.label, first.pattern, first.tr_min_ms) == ("lumbar_t2_sag", "^t2w_tse_sag", 1000)
    assert protocol.series_rules[1].image_type == "LOCALIZER"
    assert parse_protocol_text(MRI_PROTOCOL, filename="alpha.yaml").series_rules == ()


@pytest.mark.parametrize(
    ("rules", "path", "message"),
    [
        ('  - {label: t2, match: "("}', "series_rules[0].match", "not a valid regular expression"),
        ("  - {label: t2}", "series_rules[0]", "needs a condition"),
        ("  - {label: T2 Sag, match: t2}", "series_rules[0].label", "lower-case"),
        ("  - {label: t2, match: t2, tr_min_ms: 900, tr_max_ms: 100}", "series_rules[0].tr_min_ms", "is above"),
        ("  - {label: t2, pattern: t2}", "series_rules[0].pattern", "unknown key 'pattern'"),
        ('  - {label: t2, match: t2, te_max_ms: "long"}', "series_rules[0].te_max_ms", "expected a number"),
    ],
)
def test_a_bad_series_rule_is_refused_at_its_key_path(rules, path, message):
    with pytest.raises(ProtocolError) as error:
        parse_protocol_text(MRI_PROTOCOL + "series_rules:\n" + rules + "\n", filename="alpha.yaml")
    problems = [(p.path, p.message) for p in error.value.problems]
    assert any(p == path and message in m for p, m in problems), problems


@pytest.mark.django_db
@pytest.mark.parametrize(("rules", "label"), [("", "t2w"), (PHILIPS_RULES, "lumbar_t2_sag")])
def test_a_study_rule_labels_a_philips_series_ahead_of_the_defaults(
    rules, label, client, world, make_persona, upload, visit_a, dicomdir_tree, tmp_path
):
    attach_protocol(world.study, text=MRI_PROTOCOL + rules, version=f"rules-{label}")
    client.force_login(make_persona("coordinator"))
    upload([named(philips_file(dicomdir_tree, tmp_path))], participant=world.participant_a.pk, visit=visit_a.pk)
    assert DicomSeries.objects.get().label == label
