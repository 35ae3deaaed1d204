"""BIDS export of a study's de-identified MRI: dcm2niix converts each stored series, one zip in the file storage.

Layout (BIDS 1.10): ``<study>-bids/sub-<study ID>/ses-<visit code>/<datatype>/sub-.._ses-.._<entities>_<suffix>``,
labels stripped to letters and digits as BIDS requires. Series labels map to BIDS names in ``KINDS``; a label
without a BIDS name (localizer, angio, unknown) and a series still waiting to be linked are left out and listed
in the log. One series that fails to convert is logged and the others carry on. Log lines are kept as message
templates with their parameters (``message``) so that the page shows them in its reader's language, not the worker's.

Only the stored copies are read: they already carry the study ID and shifted dates (imaging.services.dicom), and
dcm2niix runs with ``-ba y`` so its sidecars leave out the patient fields; ``clean_sidecar`` drops any that remain.
participants.tsv holds study IDs only: no arm, group or personal identifier, so the zip cannot unblind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import storage
from imaging.models import DataFile

CONVERT_TIMEOUT_S = 600  # one series; a 2,000-slice series converts in seconds


@dataclass(frozen=True)
class BidsKind:
    datatype: str
    suffix: str
    entities: tuple[tuple[str, str], ...] = ()  # entities that come before run- (BIDS entity order)


KINDS = {
    "t1w": BidsKind("anat", "T1w"),
    "t2w": BidsKind("anat", "T2w"),
    "flair": BidsKind("anat", "FLAIR"),
    "lumbar_t2_sag": BidsKind("anat", "T2w", (("acq", "lumbarsag"),)),
    "dwi": BidsKind("dwi", "dwi"),
}
UNNAMED_TASK = "unnamed"  # BIDS requires task- on every bold file; a bare "bold" label has no task name


def bids_label(text: str) -> str:
    """BIDS labels are alphanumeric: "ALPHA-A-0001" -> "ALPHAA0001", "pain_empathy" -> "painempathy"."""
    return re.sub(r"[^A-Za-z0-9]", "", text or "")


def bids_kind(label: str) -> BidsKind | None:
    base, _sep, task = label.partition(":")
    if base == "bold":
        return BidsKind("func", "bold", (("task", bids_label(task) or UNNAMED_TASK),))
    return KINDS.get(base)


@dataclass(frozen=True)
class SeriesFiles:
    """One stored series as the export sees it (built from DataFile rows; plain data so planning is pure)."""

    series_id: int
    label: str
    description: str
    participant_ids: frozenset
    identifier: str
    visit_code: str
    order: tuple
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Planned:
    series_id: int
    description: str
    subject: str
    session: str
    kind: BidsKind
    run: int | None
    paths: tuple[str, ...]

    @property
    def folder(self) -> str:
        return f"sub-{self.subject}/ses-{self.session}/{self.kind.datatype}"

    @property
    def stem(self) -> str:
        parts = [f"sub-{self.subject}", f"ses-{self.session}"]
        parts += [f"{key}-{value}" for key, value in self.kind.entities]
        if self.run is not None:
            parts.append(f"run-{self.run}")
        return "_".join([*parts, self.kind.suffix])


def message(msgid: str, **params) -> dict:
    """A log line as its (English) template and parameters, stored as JSON and translated when shown. A parameter
    may itself be a message (a reason inside a series line); any other value is data and is shown as it is."""
    return {"msgid": msgid, "params": params}


def message_text(entry: dict) -> str:
    """``entry`` in the active language."""
    params = {
        name: message_text(value) if isinstance(value, dict) else value
        for name, value in (entry.get("params") or {}).items()
    }
    return _(entry["msgid"]) % params if params else _(entry["msgid"])


def message_english(entry: dict) -> str:
    """The English text, for the plain log, the error column and the worker's own logging."""
    with translation.override("en"):
        return message_text(entry)


def _left_out(series: SeriesFiles, subjects: dict[str, int]) -> dict | None:
    """Why a series stays out of the dataset (a message), or None when it goes in."""
    if len(series.participant_ids) != 1 or None in series.participant_ids:
        return message(gettext_noop("not linked to a participant yet (needs-linking queue)"))
    if bids_kind(series.label) is None:
        return message(gettext_noop("the label %(label)s has no BIDS name"), label=series.label)
    subject, session = bids_label(series.identifier), bids_label(series.visit_code)
    if not subject:
        return message(gettext_noop("the participant has no study ID yet"))
    if not session:
        return message(gettext_noop("the file has no visit"))
    (participant_id,) = series.participant_ids
    if subjects.setdefault(subject, participant_id) != participant_id:
        return message(
            gettext_noop("another participant's study ID gives the same BIDS label sub-%(label)s"), label=subject
        )
    return None


def series_line(series_id: int, description: str, reason: dict | str) -> dict:
    """A log line about one series; ``reason`` is a message, or a plain string shown as it is (an exception name)."""
    return message(
        gettext_noop("Series %(id)s (%(description)s): %(reason)s."),
        id=series_id,
        description=description or "-",
        reason=reason,
    )


def plan_series(all_series: list[SeriesFiles]) -> tuple[list[Planned], list[dict]]:
    """BIDS names for the series that can go in (run-<n> when a session has two of a kind); log lines (messages)
    for the rest."""
    kept, lines, subjects = [], [], {}
    for series in sorted(all_series, key=lambda s: s.order):
        reason = _left_out(series, subjects)
        if reason:
            lines.append(series_line(series.series_id, series.description, reason))
        else:
            kept.append(series)
    groups = defaultdict(list)
    for series in kept:
        kind = bids_kind(series.label)
        groups[(bids_label(series.identifier), bids_label(series.visit_code), kind)].append(series)
    planned = [
        Planned(
            series.series_id,
            series.description,
            subject,
            session,
            kind,
            index + 1 if len(members) > 1 else None,
            series.paths,
        )
        for (subject, session, kind), members in groups.items()
        for index, series in enumerate(members)
    ]
    return sorted(planned, key=lambda p: (p.folder, p.stem)), lines


def series_files(files) -> list[SeriesFiles]:
    """Group an export's DataFile rows (with participant and series loaded) by series."""
    by_series: dict[int, list[DataFile]] = defaultdict(list)
    for data_file in files:
        by_series[data_file.series_id].append(data_file)
    result = []
    for members in by_series.values():
        first, series = members[0], members[0].series
        result.append(
            SeriesFiles(
                series_id=series.pk,
                label=series.label,
                description=series.description,
                participant_ids=frozenset(f.participant_id for f in members),
                identifier=first.participant.identifier if first.participant_id else "",
                visit_code=first.visit_code,
                order=(str(series.acquisition_date or ""), series.series_number or 0, series.pk),
                paths=tuple(f.file.name for f in members),
            )
        )
    return result


class ConversionError(Exception):
    """A series dcm2niix could not turn into one NIfTI image; ``entry`` (a message) goes into the export's log and
    the exception's own text is its English."""

    def __init__(self, msgid: str, **params):
        self.entry = message(msgid, **params)
        super().__init__(message_english(self.entry))


def dcm2niix_binary() -> str:
    """The binary inside the dcm2niix wheel (its own API), else the one beside this interpreter or on PATH."""
    try:
        import dcm2niix

        if Path(dcm2niix.bin).is_file():
            return dcm2niix.bin
    except ImportError:
        pass
    found = shutil.which(
        "dcm2niix", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    )
    if not found:
        raise ConversionError(gettext_noop("dcm2niix is not installed (pip install dcm2niix)."))
    return found


def dcm2niix_version(binary: str) -> str:
    # An argument list, no shell; the binary is the wheel's (or the venv's) own.
    result = subprocess.run([binary, "-v"], capture_output=True, text=True, timeout=30, check=False)  # noqa: S603
    match = re.search(r"v\d+\.\d+\.\d+\S*", result.stdout)
    return match.group(0) if match else ""


# Sidecar keys that could name, describe or date a person or the site; dcm2niix -ba y already leaves out the patient
# ones (checked by the tests). PatientPosition and ImageOrientationPatientDICOM describe the image and stay.
IDENTIFYING_KEYS = frozenset(
    {
        "PatientName",
        "PatientID",
        "PatientBirthDate",
        "PatientSex",
        "PatientAge",
        "PatientWeight",
        "PatientSize",
        "OtherPatientIDs",
        "AccessionNumber",
        "StudyID",
        "StudyInstanceUID",
        "SeriesInstanceUID",
        "ReferringPhysicianName",
        "PerformingPhysicianName",
        "OperatorsName",
        "InstitutionName",
        "InstitutionAddress",
        "StationName",
        "DeviceSerialNumber",
        "AcquisitionDateTime",
        "AcquisitionDate",
        "StudyDate",
        "SeriesDate",
    }
)


def clean_sidecar(path: Path, *, task: str | None) -> None:
    data = {
        key: value for key, value in json.loads(path.read_text(encoding="utf-8")).items() if key not in IDENTIFYING_KEYS
    }
    if task is not None:
        data["TaskName"] = task  # required by BIDS for bold; dcm2niix cannot know it
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _fetch(name: str, target: Path) -> bool:
    """Put a stored file where dcm2niix reads it: a link to it on the local folder, a copy from object storage;
    False when it is missing."""
    local = storage.local_path(name)
    if local is not None:
        if not local.is_file():
            return False
        target.symlink_to(local.resolve())
        return True
    try:
        storage.copy_to(name, target)
    except FileNotFoundError:
        return False
    return True


def convert_series(planned: Planned, *, work: Path, dataset: Path, binary: str) -> list[dict]:
    """Convert one series into ``dataset``; returns notes for the log (messages); raises ConversionError."""
    source, out = work / "in" / str(planned.series_id), work / "out" / str(planned.series_id)
    source.mkdir(parents=True)
    out.mkdir(parents=True)
    missing = sum(not _fetch(name, source / f"{index:05d}.dcm") for index, name in enumerate(planned.paths))
    if missing:
        raise ConversionError(
            gettext_noop("%(missing)d of %(total)d stored files are missing"), missing=missing, total=len(planned.paths)
        )
    # -ba y: the BIDS sidecar leaves out patient name, ID and birth date. No shell; the file name stem is made of
    # BIDS labels (letters and digits) and the folders are our own temporary ones.
    command = [binary, "-b", "y", "-ba", "y", "-z", "y", "-f", planned.stem, "-o", str(out), str(source)]
    try:
        result = subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, timeout=CONVERT_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise ConversionError(
            gettext_noop("dcm2niix took longer than %(seconds)d s"), seconds=CONVERT_TIMEOUT_S
        ) from error
    images = sorted(out.glob("*.nii.gz"))
    if result.returncode != 0 or not images:
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or [f"exit {result.returncode}"]
        raise ConversionError(gettext_noop("dcm2niix could not convert it (%(detail)s)"), detail=detail[0][:300])
    if [image.name for image in images] != [f"{planned.stem}.nii.gz"]:
        raise ConversionError(
            gettext_noop(
                "dcm2niix split it into %(count)d images (varying orientation or echoes); "
                "only series that make one image are exported"
            ),
            count=len(images),
        )
    sidecar = out / f"{planned.stem}.json"
    if sidecar.exists():
        clean_sidecar(sidecar, task=dict(planned.kind.entities).get("task"))
    target = dataset / planned.folder
    target.mkdir(parents=True, exist_ok=True)
    for produced in out.iterdir():
        shutil.move(produced, target / produced.name)
    notes = []
    if planned.kind.datatype == "dwi" and not (target / f"{planned.stem}.bval").exists():
        notes.append(
            series_line(
                planned.series_id,
                planned.description,
                message(gettext_noop("no b-values in the headers, so no .bval/.bvec was written")),
            )
        )
    return notes
