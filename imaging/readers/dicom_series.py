"""Group DICOM headers into series, label each series, and compare the labels with the protocol's list.

Labels are plain strings ("t1w", "lumbar_t2_sag", "bold:pain_empathy") so a study protocol file can list
the series it expects per visit, and extra site-specific rules can be given as data.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from imaging.readers.dicom_header import DicomHeader
from imaging.readers.provenance import software_versions


@dataclass(frozen=True)
class Series:
    patient_id: str
    study_uid: str
    study_date: date | None
    series_uid: str
    series_number: int | None
    modality: str
    series_description: str
    protocol_name: str
    sequence_name: str
    image_type: tuple[str, ...]
    repetition_time_ms: float | None
    echo_time_ms: float | None
    instance_count: int
    slice_count: int
    volume_count: int
    paths: tuple[str, ...]
    software: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class SeriesRule:
    """First matching rule wins. `pattern` is a case-insensitive regex searched in
    "description | protocol | sequence"; a named group `task` becomes the label suffix (bold:<task>)."""

    label: str
    pattern: str = ""
    image_type: str = ""
    tr_min_ms: float | None = None
    tr_max_ms: float | None = None
    te_min_ms: float | None = None
    te_max_ms: float | None = None


@dataclass(frozen=True)
class Comparison:
    missing: tuple[str, ...]
    extra: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


LUMBAR = r"lumbar|l[-_ ]?spine|lws|腰"
DEFAULT_RULES: tuple[SeriesRule, ...] = (
    SeriesRule("localizer", image_type="LOCALIZER"),
    SeriesRule("localizer", r"locali[sz]er|scout|survey|pilot|3[-_ ]?plane|定位"),
    SeriesRule("lumbar_t2_sag", rf"^(?=.*({LUMBAR}))(?=.*t2)(?=.*(sag|矢状))"),
    SeriesRule("dwi", r"dwi|dti|diffusion|dmri|ep2d_diff"),
    SeriesRule("bold:rest", r"rest|(^|[^a-z])rs[-_ ]?fmri"),
    SeriesRule("bold", r"(fmri|bold|func)([-_ ]+(?P<task>[a-z][a-z0-9_]*))?"),
    SeriesRule("flair", r"flair|tirm|dark[-_ ]?fluid"),
    SeriesRule("t1w", r"t1|mp[-_]?rage|spgr|bravo|tfl3d"),
    SeriesRule("t2w", r"t2|tse|fse"),
    SeriesRule("angio", r"angio|tof|mip|projection"),
    # Fallbacks when descriptions are empty: spin-echo contrast by timing (long TR+TE = T2, short = T1).
    SeriesRule("t2w", tr_min_ms=2000, te_min_ms=80),
    SeriesRule("t1w", tr_max_ms=800, te_max_ms=30),
)


def group_series(headers: Iterable[DicomHeader]) -> list[Series]:
    """Group headers by series UID; order by patient, study date, study UID, series number."""
    by_series: dict[str, list[DicomHeader]] = defaultdict(list)
    for header in headers:
        by_series[header.series_uid].append(header)
    series = [_series(members) for members in by_series.values()]
    return sorted(series, key=_series_order)


def _series_order(s: Series) -> tuple:
    number = s.series_number if s.series_number is not None else -1
    return (s.patient_id, s.study_date or date.min, s.study_uid, number, s.series_uid)


def _series(members: list[DicomHeader]) -> Series:
    members = sorted(members, key=lambda h: (h.instance_number is None, h.instance_number or 0, h.path))
    first = members[0]
    images = sum(h.number_of_frames for h in members)
    positions = {h.image_position for h in members if h.image_position is not None}
    # Multi-frame (enhanced) files hold a whole volume; classic files hold one slice at one position.
    slices = first.number_of_frames if len(members) == 1 and images > 1 else max(len(positions), 1)
    return Series(
        patient_id=first.patient_id,
        study_uid=first.study_uid,
        study_date=first.study_date,
        series_uid=first.series_uid,
        series_number=first.series_number,
        modality=first.modality,
        series_description=first.series_description,
        protocol_name=first.protocol_name,
        sequence_name=first.sequence_name,
        image_type=first.image_type,
        repetition_time_ms=first.repetition_time_ms,
        echo_time_ms=first.echo_time_ms,
        instance_count=len(members),
        slice_count=slices,
        volume_count=max(images // slices, 1),
        paths=tuple(h.path for h in members),
        software=software_versions("pydicom"),
    )


def rule_from_mapping(data: Mapping) -> SeriesRule:
    """Build a rule from protocol data: {"label": "bold:mst", "pattern": "mnemonic", "tr_max_ms": 3000}."""
    return SeriesRule(**{key: data[key] for key in SeriesRule.__dataclass_fields__ if key in data})


def classify_series(series: Series, rules: Sequence[SeriesRule] = ()) -> str:
    """Label a series: the study's extra rules first, then DEFAULT_RULES; "unknown" when nothing matches."""
    text = " | ".join((series.series_description, series.protocol_name, series.sequence_name)).lower()
    for rule in (*rules, *DEFAULT_RULES):
        label = _apply(rule, series, text)
        if label:
            return label
    return "unknown"


def _apply(rule: SeriesRule, series: Series, text: str) -> str | None:
    if rule.image_type and rule.image_type.upper() not in series.image_type:
        return None
    if not _within(series.repetition_time_ms, rule.tr_min_ms, rule.tr_max_ms):
        return None
    if not _within(series.echo_time_ms, rule.te_min_ms, rule.te_max_ms):
        return None
    if not rule.pattern:
        return rule.label if (rule.image_type or _has_limits(rule)) else None
    match = re.search(rule.pattern, text, flags=re.IGNORECASE)
    if not match:
        return None
    task = match.groupdict().get("task")
    return f"{rule.label}:{task}" if task else rule.label


def _has_limits(rule: SeriesRule) -> bool:
    return any(v is not None for v in (rule.tr_min_ms, rule.tr_max_ms, rule.te_min_ms, rule.te_max_ms))


def _within(value: float | None, low: float | None, high: float | None) -> bool:
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def compare_expected(found_labels: Iterable[str], expected_labels: Iterable[str]) -> Comparison:
    """Set comparison: a repeated series (a re-scan) is not "extra", a label listed once is enough."""
    found, expected = set(found_labels), set(expected_labels)
    return Comparison(missing=tuple(sorted(expected - found)), extra=tuple(sorted(found - expected)))
