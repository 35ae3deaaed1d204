"""Hypnograms (one sleep stage per epoch) from EDF+ annotations or a CSV of 30-s epochs.

Stages are AASM (Berry et al., AASM Manual v2.6, 2020): W, N1, N2, N3, R. Rechtschaffen & Kales
stages 3 and 4 are merged into N3, as the AASM manual did in 2007 (Iber et al.). "?" is an epoch
that was not scored (movement time, artefact, unscored); it counts in recording time, not as sleep or wake.
"""

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from imaging.readers.edf import open_edf
from imaging.readers.errors import ReaderError, gettext_noop
from imaging.readers.provenance import software_versions

STAGES = ("W", "N1", "N2", "N3", "R")
LABELS = {
    "w": "W",
    "wake": "W",
    "0": "W",
    "1": "N1",
    "n1": "N1",
    "s1": "N1",
    "2": "N2",
    "n2": "N2",
    "s2": "N2",
    "3": "N3",
    "4": "N3",
    "n3": "N3",
    "n4": "N3",
    "s3": "N3",
    "s4": "N3",
    "r": "R",
    "rem": "R",
    "5": "R",
    "?": "?",
    "movement time": "?",
    "m": "?",
    "mt": "?",
    "unscored": "?",
    "artefact": "?",
    "artifact": "?",
}
STAGE_PREFIX = re.compile(r"^(sleep[ _-]?stage|stage)[ _:-]*", re.IGNORECASE)


@dataclass(frozen=True)
class Hypnogram:
    stages: tuple[str, ...]
    epoch_s: float = 30.0
    start: datetime | None = None
    source: str = ""
    estimate: bool = False
    confidence: float | None = None  # mean per-epoch probability of the chosen stage, for estimates
    software: dict[str, str] = field(default_factory=dict, compare=False)


def stage_label(text: str) -> str | None:
    """Map one annotation or CSV value to W/N1/N2/N3/R/?; None when it is not a stage at all."""
    key = STAGE_PREFIX.sub("", text.strip()).strip().lower()
    return LABELS.get(key)


def hypnogram_from_edf(path: str | Path, *, epoch_s: float = 30.0) -> Hypnogram:
    """Read stage annotations ("Sleep stage W", "Sleep stage 2", "N3", "R"...) from an EDF+ file.

    An annotation with a duration covers duration/epoch_s epochs (Sleep-EDF style); one without a
    duration covers one epoch. Gaps between scored epochs become "?".
    """
    edf = open_edf(path)
    scored = [(a.onset, a.duration, stage_label(a.text)) for a in edf.annotations]
    scored = sorted((onset, duration, stage) for onset, duration, stage in scored if stage)
    if not scored:
        raise ReaderError(
            gettext_noop("%(name)s has no sleep-stage annotations; import the hypnogram as CSV."), name=Path(path).name
        )
    first = scored[0][0]
    stages: list[str] = []
    for onset, duration, stage in scored:
        index = round((onset - first) / epoch_s)
        count = max(round((duration or epoch_s) / epoch_s), 1)
        if index > len(stages):
            stages.extend(["?"] * (index - len(stages)))
        stages[index : index + count] = [stage] * count
    start = edf.startdatetime + timedelta(seconds=first)
    return Hypnogram(tuple(stages), epoch_s, start, "edf annotations", False, software=software_versions("edfio"))


def hypnogram_from_csv(path: str | Path, *, epoch_s: float = 30.0, start: datetime | None = None) -> Hypnogram:
    """One row per epoch, in order. A header row naming a "stage" column is used if present;
    otherwise the last column holds the stage."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    if not rows:
        raise ReaderError(gettext_noop("%(name)s is empty."), name=path.name)
    header = [cell.strip().lower() for cell in rows[0]]
    column = header.index("stage") if "stage" in header else -1
    body = rows[1:] if "stage" in header or stage_label(rows[0][-1]) is None else rows
    stages = []
    for number, row in enumerate(body, start=len(rows) - len(body) + 1):
        stage = stage_label(row[column]) if column < len(row) else None
        if stage is None:
            raise ReaderError(
                gettext_noop(
                    "%(name)s line %(line)s: '%(row)s' is not a sleep stage (expected one of W, N1, N2, N3, R, 1-4, ?)."
                ),
                name=path.name,
                line=number,
                row=",".join(row),
            )
        stages.append(stage)
    return Hypnogram(tuple(stages), epoch_s, start, "csv", False, software=software_versions())
