"""Acquisitions of synthetic participants: the recordings a scheduled acquisition activity would have brought in,
as the ingest pipeline stores them once derived (no file bytes: generated data has none to read).

Participants of the imaging sub-study (``IMAGING_SHARE``) have, at each attended visit whose schedule lists an
acquisition, most of those recordings: a PSG, HRV or EMG ``DataFile`` with its derived measures (the names and
units the imaging derivers store, values that follow the person's pain), or for MRI one ``DicomSeries`` per
expected series with one file standing for it. Files are linked, de-identified and named as generated
(``synthetic-...``); their checksums are drawn from the seed, so a rerun writes the same ones.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

from imaging.models import DataFile, DerivedMeasure, DicomSeries, Kind

from .bulk import Json, insert_rows
from .course import Course, VisitPlan, severity
from .rows import moment

IMAGING_SHARE = 0.3  # participants in the imaging sub-study
RECORDED = 0.9  # of a scheduled acquisition, the share that was recorded
SOFTWARE = Json({"lbpb-synthetic": "1"})
KINDS = {"psg": Kind.PSG, "hrv": Kind.HRV, "emg": Kind.EMG, "mri": Kind.DICOM}
# name: (value at no pain, value at worst pain, spread): worse pain, worse sleep and lower heart-rate variability.
MEASURES = {
    Kind.PSG: {
        "time_in_bed_min": (480, 480, 25),
        "total_sleep_time_min": (430, 330, 25),
        "sleep_efficiency_pct": (90, 70, 4),
        "sleep_onset_latency_min": (12, 35, 6),
        "waso_min": (30, 90, 12),
        "rem_latency_min": (85, 110, 15),
        "odi_per_hour": (3, 9, 2),
    },
    Kind.HRV: {
        "mean_hr_bpm": (64, 74, 5),
        "mean_rr_ms": (940, 810, 50),
        "sdnn_ms": (55, 35, 8),
        "rmssd_ms": (42, 24, 7),
        "lf_hf": (1.4, 2.4, 0.4),
    },
    Kind.EMG: {"rms": (0.05, 0.09, 0.01), "mean_frequency_hz": (95, 80, 6), "median_frequency_hz": (85, 70, 6)},
}
UNITS = {"_pct": "%", "_min": "min", "_ms": "ms", "_hz": "Hz", "_bpm": "bpm", "_per_hour": "/h"}
FILE_COLUMNS = (
    "study_id",
    "participant_id",
    "visit_id",
    "visit_code",
    "kind",
    "original_name",
    "file",
    "deidentified",
    "sha256",
    "size",
    "uploaded_by_id",
    "uploaded_at",
    "link_status",
    "recorded_at",
    "out_of_window",
    "series_id",
    "metadata",
)
MEASURE_COLUMNS = (
    "data_file_id",
    "participant_id",
    "visit_code",
    "name",
    "value",
    "unit",
    "software",
    "is_estimate",
    "computed_at",
)
SERIES_COLUMNS = (
    "study_id",
    "study_uid",
    "series_uid",
    "series_number",
    "label",
    "description",
    "modality",
    "instance_count",
    "slice_count",
    "volume_count",
    "acquisition_date",
    "preview_png",
    "preview_source",
    "software",
    "updated_at",
)


def _unit(name: str) -> str:
    return next((unit for suffix, unit in UNITS.items() if name.endswith(suffix)), "")


def _uid(*parts) -> str:
    """A DICOM UID under 2.25 (a UUID-derived root) from the seed and the parts: the same on every rerun."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return f"2.25.{int.from_bytes(digest[:15], 'big')}"


@dataclass
class Recording:
    participant: object
    plan: VisitPlan
    kind: str
    sha256: str
    series: str = ""  # the MRI series label
    measures: list[tuple[str, float]] = field(default_factory=list)


def _measures(kind: str, level: float, rng: random.Random) -> list[tuple[str, float]]:
    out = []
    for name, (good, bad, spread) in MEASURES[kind].items():
        value = good + (bad - good) * min(1.0, max(0.0, level)) + rng.gauss(0, spread)
        out.append((name, round(max(0.0, value), 3)))
    return out


def recordings(course: Course, participant, *, seed: int) -> list[Recording]:
    """What this participant's attended visits recorded (nothing outside the imaging sub-study)."""
    rng = random.Random(f"{seed}:acquisitions:{course.index}")
    if rng.random() >= IMAGING_SHARE:
        return []
    out = []
    for plan in course.visits:
        if plan.completed_on is None:
            continue
        level = severity(course, plan.completed_on, rng)
        for activity in plan.projected.activities:
            kind = KINDS.get(activity.code) if activity.kind == "acquisition" else None
            if kind is None or rng.random() >= RECORDED:
                continue
            name = f"{seed}:{course.index}:{plan.projected.code}:{plan.projected.occurrence}:{activity.key}"
            if kind == Kind.DICOM:
                out += [
                    Recording(participant, plan, kind, hashlib.sha256(f"{name}:{label}".encode()).hexdigest(), label)
                    for label in activity.series
                ]
            else:
                sha = hashlib.sha256(name.encode()).hexdigest()
                out.append(Recording(participant, plan, kind, sha, measures=_measures(kind, level, rng)))
    return out


def _series_rows(recordings: list[Recording], *, study, now) -> list[tuple]:
    return [
        (
            study.pk,
            _uid("study", r.participant.pk, r.plan.projected.code),
            _uid("series", r.sha256),
            number,
            r.series,
            r.series.replace("_", " "),
            "MR",
            1,
            1,
            1,
            r.plan.completed_on,
            b"",
            "",
            SOFTWARE,
            now,
        )
        for number, r in enumerate(recordings, start=1)
    ]


def _file_rows(recordings: list[Recording], series: dict[str, int], visits: dict, *, study, user, now) -> list[tuple]:
    rows = []
    for r in recordings:
        plan = r.plan.projected
        suffix = "dcm" if r.kind == Kind.DICOM else "edf"
        rows.append(
            (
                study.pk,
                r.participant.pk,
                visits.get((r.participant.pk, plan.code, plan.occurrence)),
                plan.code,
                r.kind,
                f"synthetic-{r.kind}.{suffix}",
                f"imaging/{study.code}/{r.sha256[:2]}/{r.sha256}/synthetic-{r.kind}.{suffix}",
                True,
                r.sha256,
                0,
                user.pk,
                now,
                DataFile.LinkStatus.LINKED.value,
                moment(r.plan.completed_on),
                False,
                series.get(r.sha256),
                Json({"synthetic": True}),
            )
        )
    return rows


def write_recordings(recordings: list[Recording], *, visits: dict, study, user, now, counts) -> None:
    """Insert the series, files and measures of ``recordings``; ``visits`` maps (participant id, visit code,
    occurrence) to the visit row's id."""
    mri = [r for r in recordings if r.kind == Kind.DICOM]
    series_ids = insert_rows(DicomSeries, SERIES_COLUMNS, _series_rows(mri, study=study, now=now))
    series = {r.sha256: pk for r, pk in zip(mri, series_ids, strict=True)}
    counts["imaging.dicomseries"] += len(series_ids)
    files = _file_rows(recordings, series, visits, study=study, user=user, now=now)
    ids = insert_rows(DataFile, FILE_COLUMNS, files)
    counts["imaging.datafile"] += len(ids)
    measures = [
        (pk, r.participant.pk, r.plan.projected.code, name, value, _unit(name), SOFTWARE, False, now)
        for pk, r in zip(ids, recordings, strict=True)
        for name, value in r.measures
    ]
    counts["imaging.derivedmeasure"] += len(insert_rows(DerivedMeasure, MEASURE_COLUMNS, measures))
