"""De-identify a DICOM dataset: DICOM PS3.15 Annex E, Basic Application Level Confidentiality Profile,
with the Retain Longitudinal Temporal Information with Modified Dates Option.

The attribute table (Table E.1-1) is not copied by hand: it comes from dicom-anonymizer's machine-readable
export of the 2026c standard (dicomanonymizer/dicom_anonymization_databases/dicomfields_2026c.py).
Where the table allows a choice (X/Z, Z/D, X/Z/D) we keep the attribute empty (Z) so Type 2 attributes
stay present; X/D removes. Deviations, on purpose and recorded in DeidentificationMethod:
- dates (DA, DT) are shifted by the participant's offset instead of emptied (Modified Dates Option), so
  visit intervals survive; times of day are kept;
- Series Description, Protocol Name and Sequence Name are kept: series classification needs them and
  scanner protocol names hold no patient data at the study sites (review if a site types names there).
"""

import copy
import hashlib
import hmac
import uuid
from datetime import date, timedelta

from dicomanonymizer.dicom_anonymization_databases import dicomfields_2026c as table
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.tag import Tag

from imaging.readers.provenance import software_versions

KEPT = {Tag(0x0008, 0x103E), Tag(0x0018, 0x1030), Tag(0x0018, 0x0024)}
DUMMY_BY_VR = {
    "PN": "ANONYMOUS",
    "DA": "19000101",
    "DT": "19000101000000",
    "TM": "000000",
    "IS": "0",
    "DS": "0",
    "US": 0,
    "SS": 0,
    "UL": 0,
    "SL": 0,
    "FL": 0.0,
    "FD": 0.0,
}
DUMMY_TEXT = "REMOVED"
METHOD_CODES = (
    ("113100", "Basic Application Confidentiality Profile"),
    ("113107", "Retain Longitudinal Temporal Information Modified Dates Option"),
)


def _tags(*names: str) -> tuple[frozenset, tuple]:
    """(exact tags, masked entries); the table lists plain (group, element) pairs and masked 4-tuples."""
    entries = [entry for name in names for entry in getattr(table, name)]
    exact = frozenset(Tag(entry[0], entry[1]) for entry in entries if len(entry) == 2)
    return exact, tuple(entry for entry in entries if len(entry) == 4)


UID_TAGS = _tags("U_TAGS", "X_Z_U_STAR_TAGS")
REPLACE_TAGS = _tags("D_TAGS")
EMPTY_TAGS = _tags("Z_TAGS", "Z_D_TAGS", "X_Z_TAGS", "X_Z_D_TAGS")
REMOVE_TAGS = _tags("X_TAGS", "X_D_TAGS")


def deidentify(
    dataset: Dataset, *, study_id: str, date_shift_days: int, uid_secret: str = "", in_place: bool = False
) -> Dataset:
    """Return a de-identified copy; the input dataset is not changed (unless ``in_place``, for a caller that
    read the dataset only to de-identify it and so need not pay for a deep copy).

    UIDs map deterministically (same input UID, secret and study id -> same output UID), so the slices of
    a series, and series of one study, stay linked across separate uploads.
    """
    result = dataset if in_place else copy.deepcopy(dataset)
    shift = timedelta(days=date_shift_days)
    result.walk(lambda ds, element: _apply(ds, element, shift, (uid_secret, study_id)))
    _set_identity(result, study_id)
    if getattr(result, "file_meta", None) is not None and "SOPInstanceUID" in result:
        result.file_meta.MediaStorageSOPInstanceUID = result.SOPInstanceUID
    return result


def shift_dates(dataset: Dataset, *, days: int) -> None:
    """Move every date (DA, DT) of an already de-identified dataset by ``days``, in place.

    For a stored copy linked to its participant later: the UIDs are already mapped, so the copy is not
    de-identified again, only its dates move.
    """
    shift = timedelta(days=days)

    def move(ds: Dataset, element) -> None:
        if element.tag.group != 0x0002 and element.VR in ("DA", "DT") and element.tag != Tag(0x0010, 0x0030):
            element.value = _shift(element.value, element.VR, shift)

    if days:
        dataset.walk(move)


def _action(tag) -> str:
    for name, tags in (("U", UID_TAGS), ("D", REPLACE_TAGS), ("Z", EMPTY_TAGS), ("X", REMOVE_TAGS)):
        exact, masked = tags
        if tag in exact or _masked(tag, masked):
            return name
    return "K"


def _masked(tag, masked: tuple) -> bool:
    # Repeating groups (curves 50xx, overlays 60xx) are listed as (group, element, group mask, element mask).
    return any(tag.group & t[2] == t[0] and tag.element & t[3] == t[1] for t in masked)


def _apply(ds: Dataset, element, shift: timedelta, secret: tuple[str, str]) -> None:
    tag = element.tag
    if tag.is_private:  # private tags go, at every depth (one walk instead of remove_private_tags' own)
        del ds[tag]
        return
    if tag in KEPT or tag.group == 0x0002 or element.VR == "TM":
        return  # times of day are kept (whole-day shift); they order the runs of a session
    if element.VR in ("DA", "DT") and tag != Tag(0x0010, 0x0030):
        element.value = _shift(element.value, element.VR, shift)
        return
    action = _action(tag)
    if action == "K":
        return
    if action == "U" and element.VR == "UI":
        element.value = _uid(element.value, secret)
    elif action == "X" or (action == "U" and element.VR != "UI"):
        del ds[tag]
    elif element.VR == "SQ":
        element.value = Sequence()
    elif action == "Z":
        element.value = None
    else:
        element.value = DUMMY_BY_VR.get(element.VR, DUMMY_TEXT)


def _uid(value, secret: tuple[str, str]):
    if not value:
        return value
    if isinstance(value, str):
        return _mapped_uid(value, secret)
    return [_mapped_uid(str(v), secret) for v in value]


def _mapped_uid(value: str, secret: tuple[str, str]) -> str:
    """2.25.<UUID as integer> (PS3.5 B.2); the UUID bits come from an HMAC of the old UID, so the mapping
    repeats for the same secret and cannot be reversed without it."""
    key, study_id = secret
    digest = hmac.new(key.encode(), f"{study_id}|{value}".encode(), hashlib.sha256).digest()
    return f"2.25.{uuid.UUID(bytes=digest[:16], version=4).int}"


def _shift(value, vr: str, shift: timedelta):
    if not value:
        return value
    if isinstance(value, str):
        return _shift_one(value, vr, shift)
    return [_shift_one(str(v), vr, shift) for v in value]


def _shift_one(text: str, vr: str, shift: timedelta) -> str:
    """Shift the date part; keep any time part and offset as they are."""
    digits = text[:8]  # DA is YYYYMMDD, a calendar date with no time zone: shifted as a date
    try:
        if len(digits) != 8 or not (digits.isascii() and digits.isdigit()):
            raise ValueError(digits)
        day = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return ""  # an unparseable date cannot be shifted safely, so it is emptied
    return (day + shift).strftime("%Y%m%d") + (text[8:] if vr == "DT" else "")


def _set_identity(ds: Dataset, study_id: str) -> None:
    ds.PatientID = study_id
    ds.PatientName = study_id
    ds.PatientIdentityRemoved = "YES"
    ds.LongitudinalTemporalInformationModified = "MODIFIED"
    versions = software_versions("pydicom", "dicom-anonymizer")
    ds.DeidentificationMethod = (
        f"PS3.15 E.1 Basic Profile (table 2026c) + Modified Dates; descriptions kept; pydicom {versions['pydicom']}"
    )[:64]
    codes = []
    for value, meaning in METHOD_CODES:
        item = Dataset()
        item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = value, "DCM", meaning
        codes.append(item)
    ds.DeidentificationMethodCodeSequence = Sequence(codes)
