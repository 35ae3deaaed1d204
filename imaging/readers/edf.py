"""Read EDF/EDF+ headers (PSG from Compumedics Profusion, EMG exports) and strip identity from them.

edfio is used: it reads EDF+ annotations and, lazily, a header in about 2 ms; its bulk signal reads run
at about 600 MB/s, ten times pyedflib's per-channel reads (test_data.md §4.2).
Header layout: EDF spec (Kemp et al. 1992) and EDF+ spec (Kemp & Olivan 2003, edfplus.info/specs).
"""

import re
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import edfio

from imaging.readers.errors import ReaderError, gettext_noop
from imaging.readers.provenance import software_versions

PATIENT_FIELD = slice(8, 88)
RECORDING_FIELD = slice(88, 168)
START_DATE_FIELD = slice(168, 176)  # dd.mm.yy
RESERVED_FIELD = slice(192, 236)
UNREADABLE = gettext_noop("%(name)s is not a readable EDF/EDF+ file: %(error)s")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# Order matters: the first match wins. Labels follow AASM derivation names and Compumedics defaults
# (C3-M2, E1-M2, Chin1-Chin2, Leg/L, Thor, Abdo, SpO2, PR) and EDF+ type prefixes ("EEG Fpz-Cz").
CHANNEL_TYPES: tuple[tuple[str, str], ...] = (
    ("SpO2", r"spo2|sao2|\bsat\b|oxim|血氧"),
    ("pulse", r"pulse|\bpr\b|\bhr\b|heart ?rate|pleth|脉"),
    ("ECG", r"ecg|ekg|心电"),
    ("EMG chin", r"chin|submental|\bment|颏"),
    ("EMG leg", r"leg|tib|\b[lr]at\b|plm|腿"),
    ("EOG", r"eog|\b[lr]oc\b|\be[12]\b|眼"),
    ("airflow", r"flow|therm|cannula|nasal|\boral|pressure|ptaf|气流"),
    ("effort", r"thor|abd|chest|effort|\brip\b|胸|腹"),
    ("EMG", r"emg"),
    ("EEG", r"eeg|^(fp|af|f|fc|ft|c|cp|t|tp|p|po|o|i|m|a)[z0-9]{1,2}(\b|-|$)|脑电"),
)


@dataclass(frozen=True)
class EdfChannel:
    label: str
    type: str
    sampling_rate: float
    physical_dimension: str
    transducer: str


@dataclass(frozen=True)
class EdfHeader:
    path: str
    edf_plus: bool
    patient_field: str
    recording_field: str
    patient_code: str
    patient_sex: str
    patient_birth_date: date | None
    patient_name: str
    start: datetime
    duration_s: float
    channels: tuple[EdfChannel, ...]
    annotation_count: int
    software: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class EdfDeidentification:
    path: str
    patient_field: str
    recording_field: str
    annotations_replaced: int = 0
    software: dict[str, str] = field(default_factory=dict, compare=False)


def channel_type(label: str, physical_dimension: str = "") -> str:
    """Guess a channel's type from its label; "%" with an unknown label is taken as SpO2."""
    text = label.strip().lower()
    for kind, pattern in CHANNEL_TYPES:
        if re.search(pattern, text):
            return kind
    return "SpO2" if physical_dimension.strip() == "%" else "other"


def open_edf(path: str | Path) -> edfio.Edf:
    """Open lazily (signals are read on demand); latin-1 so a non-ASCII name cannot stop the read."""
    path = Path(path)
    try:
        return edfio.read_edf(path, lazy_load_data=True, header_encoding="latin-1")
    except FileNotFoundError:
        raise
    except Exception as error:  # edfio raises ValueError, IndexError, UnicodeError... for broken headers
        raise ReaderError(UNREADABLE, name=path.name, error=str(error)) from error


def read_edf_header(path: str | Path) -> EdfHeader:
    edf = open_edf(path)
    try:
        return _header(path, edf)
    except ReaderError:
        raise
    except Exception as error:  # edfio reads lazily: a file cut off after its header fails only here
        raise ReaderError(UNREADABLE, name=Path(path).name, error=str(error) or type(error).__name__) from error


def _header(path: str | Path, edf: edfio.Edf) -> EdfHeader:
    patient = _patient(edf)
    return EdfHeader(
        path=str(path),
        edf_plus=edf.reserved.startswith("EDF+"),
        patient_field=edf.local_patient_identification,
        recording_field=edf.local_recording_identification,
        patient_code=patient[0],
        patient_sex=patient[1],
        patient_birth_date=patient[2],
        patient_name=patient[3],
        start=edf.startdatetime,
        duration_s=float(edf.duration),
        channels=tuple(
            EdfChannel(
                s.label,
                channel_type(s.label, s.physical_dimension),
                float(s.sampling_frequency),
                s.physical_dimension,
                s.transducer_type,
            )
            for s in edf.signals
        ),
        annotation_count=len(edf.annotations),
        software=software_versions("edfio"),
    )


def _patient(edf: edfio.Edf) -> tuple[str, str, date | None, str]:
    """EDF+ patient subfields (code sex birthdate name); plain EDF has free text, kept as the name."""
    raw = edf.local_patient_identification.strip()
    parts = raw.split(" ")
    if not edf.reserved.startswith("EDF+") or len(parts) < 4:
        return "", "", None, raw
    return _known(parts[0]), _known(parts[1]), _birth_date(parts[2]), _known(parts[3]).replace("_", " ")


def _birth_date(text: str) -> date | None:
    day, _, rest = text.partition("-")  # EDF+ writes 02-AUG-1951, English month names whatever the locale
    month, _, year = rest.partition("-")
    try:
        return date(int(year), MONTHS.index(month.upper()) + 1, int(day))
    except ValueError:
        return None  # "X" (unknown or removed) or a malformed date


def _known(value: str) -> str:
    return "" if value == "X" else value  # EDF+ writes X for an unknown subfield


def deidentify_edf(
    path: str | Path, out_path: str | Path, *, study_id: str, date_shift_days: int = 0
) -> EdfDeidentification:
    """Copy the file, then overwrite only the header bytes of the patient, recording and start date fields.

    EDF+ keeps its structure: patient "<study_id> X X X" (sex, birth date, name unknown), recording
    "Startdate <shifted date> X X <equipment>" (hospital code and technician removed). The start date
    field (bytes 168-176) and the recording's Startdate move by ``date_shift_days`` together, as the
    EDF+ spec requires them to agree; the time of day is kept. Signal bytes are not touched, except the
    free-text annotations (see ``scrub_annotations``).
    """
    path, out_path = Path(path), Path(out_path)
    with path.open("rb") as handle:
        head = handle.read(256)
    if len(head) < 256 or not head[:8].strip() == b"0":
        raise ReaderError(
            gettext_noop("%(name)s is not an EDF file (the header does not start with version 0)."), name=path.name
        )
    plus = head[RESERVED_FIELD].startswith(b"EDF+")
    code = re.sub(r"\s+", "_", study_id.strip()) or "X"
    patient = f"{code} X X X" if plus else code
    start = _start_date(head[START_DATE_FIELD].decode("latin-1"), path.name) + timedelta(days=date_shift_days)
    recording = (
        f"Startdate {start.day:02d}-{MONTHS[start.month - 1]}-{start.year} X X {_equipment(head)}" if plus else "X"
    )
    if path.resolve() != out_path.resolve():
        shutil.copyfile(path, out_path)
    with out_path.open("r+b") as handle:
        handle.seek(PATIENT_FIELD.start)
        handle.write(_field(patient) + _field(recording) + start.strftime("%d.%m.%y").encode("ascii"))
        replaced = scrub_annotations(handle)
    return EdfDeidentification(str(out_path), patient, recording, replaced, software_versions())


def _start_date(text: str, name: str) -> date:
    """EDF start date dd.mm.yy; years 85-99 are 1985-1999, 00-84 are 2000-2084 (EDF+ spec 2.1.3.2)."""
    try:
        day, month, year = (int(part) for part in text.strip().split("."))
        return date(1900 + year if year >= 85 else 2000 + year, month, day)
    except ValueError as error:
        raise ReaderError(
            gettext_noop("%(name)s has an unreadable start date (%(date)s); export it again."),
            name=name,
            date=repr(text.strip()),
        ) from error


def _equipment(head: bytes) -> str:
    """The EDF+ recording field's equipment subfield (kept: it names the device, not the person)."""
    parts = head[RECORDING_FIELD].decode("latin-1").split()
    return parts[4] if len(parts) >= 5 and parts[0] == "Startdate" else "X"


def _field(text: str) -> bytes:
    return text.encode("ascii", errors="replace")[:80].ljust(80, b" ")


# Annotation texts kept in a stored copy besides sleep stages: event names scorers and devices write, which
# cannot name a person. Everything else (technician notes, "John Smith called") is replaced. Compared after
# lower-casing and collapsing spaces.
SAFE_ANNOTATIONS = frozenset(
    {
        "lights off",
        "lights on",
        "lights out",
        "recording start",
        "recording end",
        "recording starts",
        "recording ends",
        "start of recording",
        "xlspike",
        "xlevent",
        "end of recording",
        "apnea",
        "obstructive apnea",
        "central apnea",
        "mixed apnea",
        "apnoea",
        "obstructive apnoea",
        "central apnoea",
        "mixed apnoea",
        "hypopnea",
        "obstructive hypopnea",
        "central hypopnea",
        "hypopnoea",
        "rera",
        "desaturation",
        "oxygen desaturation",
        "spo2 desaturation",
        "arousal",
        "spontaneous arousal",
        "respiratory arousal",
        "limb movement",
        "leg movement",
        "periodic limb movement",
        "plm",
        "snore",
        "snoring",
        "bradycardia",
        "tachycardia",
        "body position",
        "supine",
        "prone",
        "left",
        "right",
        "upright",
        "discontinuity",
        "annotation",
        "note",
        "x",  # the last three: our own replacements
    }
)
NEUTRAL_TEXTS = (b"annotation", b"note", b"X")  # the longest that fits replaces an unsafe text
ANNOTATION_LABELS = (b"EDF Annotations",)
TAL_ONSET = re.compile(rb"^[+-]\d+(\.\d+)?(\x15\d+(\.\d+)?)?$")


def safe_annotation(text: str) -> bool:
    from imaging.readers.hypnogram import stage_label  # hypnogram reads EDF through this module

    return stage_label(text) is not None or " ".join(text.lower().split()) in SAFE_ANNOTATIONS


def _neutral(text: bytes) -> bytes:
    return next(neutral for neutral in NEUTRAL_TEXTS if len(neutral) <= len(text))


def scrub_tals(raw: bytes) -> tuple[bytes, int]:
    """One data record's annotation bytes with every unsafe text replaced; the same length, NUL-padded.

    A TAL is "+onset[\\x15duration]\\x14text\\x14...\\x14\\x00" (EDF+ spec 2.2.2); onsets and durations stay, so the
    timing of every event is kept. Bytes that are not a TAL are cleared rather than guessed at.
    """
    tals, replaced = [], 0
    for tal in (part for part in raw.split(b"\x00") if part):
        onset, *texts = tal.split(b"\x14")
        if not TAL_ONSET.match(onset):
            replaced += 1
            continue
        kept = []
        for text in texts:
            if text and not safe_annotation(text.decode("utf-8", errors="replace")):
                text, replaced = _neutral(text), replaced + 1
            kept.append(text)
        tals.append(b"\x14".join([onset, *kept]) + b"\x00")
    cleaned = b"".join(tals)
    return cleaned.ljust(len(raw), b"\x00"), replaced


def _annotation_slots(handle) -> tuple[int, int, int, list[tuple[int, int]]] | None:
    """(header bytes, record bytes, records, [(offset in record, bytes)] of each annotation signal), or None."""
    handle.seek(0)
    head = handle.read(256)
    try:
        header_bytes, records, count = int(head[184:192]), int(head[236:244]), int(head[252:256])
    except ValueError:
        return None
    extended = handle.read(count * 256)
    labels = [extended[i * 16 : (i + 1) * 16].strip() for i in range(count)]
    samples_at = count * 216  # label 16, transducer 80, dimension 8, 4 x min/max 8, prefiltering 80
    samples = [int(extended[samples_at + i * 8 : samples_at + (i + 1) * 8]) for i in range(count)]
    record_bytes = 2 * sum(samples)
    slots = [(2 * sum(samples[:i]), 2 * samples[i]) for i in range(count) if labels[i] in ANNOTATION_LABELS]
    if not slots or record_bytes == 0:
        return None
    handle.seek(0, 2)
    on_disk = (handle.tell() - header_bytes) // record_bytes
    return header_bytes, record_bytes, min(records, on_disk) if records > 0 else on_disk, slots


def scrub_annotations(handle) -> int:
    """Replace, in place, every annotation text that is not a sleep stage or a safe event name; return how many.

    Compumedics and other systems let technicians type free text into annotations (names, phone calls); the
    header de-identification alone would leave it in the stored copy.
    """
    layout = _annotation_slots(handle)
    if layout is None:
        return 0
    header_bytes, record_bytes, records, slots = layout
    replaced = 0
    for record in range(records):
        for offset, size in slots:
            position = header_bytes + record * record_bytes + offset
            handle.seek(position)
            cleaned, count = scrub_tals(handle.read(size))
            if count:
                handle.seek(position)
                handle.write(cleaned)
                replaced += count
    return replaced
