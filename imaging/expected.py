"""Protocol series names -> classifier labels (pure).

Protocol files name expected MRI series for people ("t1w_head", "t2w_lumbar_sag", "bold_pain_sensitivity");
imaging.readers.dicom_series labels series by contrast and task ("t1w", "lumbar_t2_sag", "bold:pain_sensitivity").
"""

from collections.abc import Iterable

ALIASES = {
    "t1w_head": "t1w",
    "t2w_head": "t2w",
    "flair_head": "flair",
    "dwi_head": "dwi",
    "t2w_lumbar_sag": "lumbar_t2_sag",
    "lumbar_t2w_sag": "lumbar_t2_sag",
}


def expected_label(name: str) -> str:
    name = name.strip().lower()
    if name in ALIASES:
        return ALIASES[name]
    if name.startswith("bold_"):
        return f"bold:{name[5:]}"
    return name


def expected_labels(names: Iterable[str]) -> list[str]:
    return [expected_label(name) for name in names]
