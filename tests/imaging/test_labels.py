import dataclasses

from imaging.measures.emg import EmgChannelMeasures
from imaging.measures.hrv import HrvMeasures
from imaging.measures.oximetry import OximetryMeasures
from imaging.measures.sleep import SleepMeasures
from imaging.readers.dicom_series import DEFAULT_RULES
from imaging.readers.edf import CHANNEL_TYPES
from imaging.readers.hypnogram import LABELS as STAGE_LABELS
from imaging.readers.labels import LABELS, label

NOT_SHOWN = {"software", "stage_min", "stage_pct_of_tst", "estimate", "drop_pct", "label", "source"}


def _keys():
    yield from (rule.label.partition(":")[0] for rule in DEFAULT_RULES)
    yield from (kind for kind, _ in CHANNEL_TYPES)
    yield from set(STAGE_LABELS.values())
    for cls in (SleepMeasures, OximetryMeasures, HrvMeasures, EmgChannelMeasures):
        yield from (f.name for f in dataclasses.fields(cls) if f.name not in NOT_SHOWN)


def test_every_label_and_measure_has_english_and_chinese():
    missing = sorted({key for key in _keys() if not (LABELS.get(key, {}).get("en") and LABELS[key].get("zh"))})
    assert missing == []


def test_a_bold_label_keeps_its_task_name_in_both_languages():
    assert label("bold:pain_empathy") == "Functional MRI (BOLD): pain_empathy"
    assert label("bold:pain_empathy", "zh") == "血氧水平依赖功能磁共振（BOLD）: pain_empathy"
    assert label("N3", "zh") == "N3期"
    assert label("not-a-label", "zh") == "not-a-label"
