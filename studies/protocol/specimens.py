"""The protocol's `biobank:` block: specimen types with their processing limits, the specimen ID pattern and the
freeze-thaw limit (docs/protocol-format.md, "Biobank").

Pure Python. A specimen activity (`visits[].activities.specimens[].type`) names a built-in type (BUILTIN_TYPES) or
one the block declares; anything else is an "unknown specimen" problem with the known codes suggested.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

from .reader import Reader, gettext_noop, join
from .schema import Text

# The base kinds of specimen this server knows, each with its SPREC v4.0 "type of sample" code (biobank/sprec.py;
# ZZZ: "other", for solid tissue and cell products, which SPREC codes with its solid table instead).
BASES: dict[str, str] = {
    "whole_blood": "BLD",
    "plasma": "PL1",
    "plasma_double_spun": "PL2",
    "serum": "SER",
    "buffy_coat": "BFF",
    "stool": "STL",
    "urine": "URN",
    "saliva": "SAL",
    "adipose_tissue": "ZZZ",
    "cell_product": "ZZZ",
    "other": "ZZZ",
}
# Primary containers (SPREC v4.0 element 2 codes): the code is what the file names.
CONTAINERS = ("PED", "SST", "SCI", "HEP", "ACD", "CPT", "PPS", "PET", "ZZZ", "XXX")
TIMINGS = ("at_visit", "before_session", "after_session")
ID_FIELDS = frozenset({"study", "prefix", "seq"})
DEFAULT_ID_PATTERN = "{study}-{prefix}{seq:06d}"
MAX_TYPES = 100
MAX_LIMIT_MINUTES = 7 * 24 * 60


@dataclass(frozen=True)
class Limits:
    """Processing limits, minutes from collection; None: no limit."""

    centrifuge_within_minutes: int | None = None
    freeze_within_minutes: int | None = None


@dataclass(frozen=True)
class SpecimenType:
    code: str
    base: str  # a key of BASES
    label: Text
    prefix: str  # letters in the specimen ID, e.g. "BL"; never anything about the participant
    container: str = "XXX"  # one of CONTAINERS
    volume_ml: float | None = None  # expected volume
    limits: Limits = field(default_factory=Limits)
    storage_temperature_c: int | None = None
    timing: str = "at_visit"  # one of TIMINGS
    derived_from: str | None = None  # the type it is made from (plasma from blood); None for a primary specimen

    @property
    def sprec_type(self) -> str:
        return BASES[self.base]


def _builtin(code, base, en, zh, prefix, container="XXX", limits=Limits(), temperature=None) -> SpecimenType:
    return SpecimenType(code, base, Text(en, zh), prefix, container, None, limits, temperature)


BLOOD_LIMITS = Limits(centrifuge_within_minutes=120, freeze_within_minutes=240)
BUILTIN_TYPES: dict[str, SpecimenType] = {
    t.code: t
    for t in (
        _builtin("blood", "whole_blood", "Whole blood (EDTA)", "全血（EDTA）", "BL", "PED", BLOOD_LIMITS, -80),
        _builtin("plasma", "plasma", "Plasma", "血浆", "PL", "PED", BLOOD_LIMITS, -80),
        _builtin("serum", "serum", "Serum", "血清", "SE", "SST", BLOOD_LIMITS, -80),
        _builtin("buffy_coat", "buffy_coat", "Buffy coat (cells)", "白膜层（血细胞）", "BC", "PED", BLOOD_LIMITS, -80),
        _builtin("stool", "stool", "Stool", "粪便", "ST", "PPS", Limits(freeze_within_minutes=240), -80),
        _builtin("urine", "urine", "Urine", "尿液", "UR", "PPS", Limits(freeze_within_minutes=240), -80),
        _builtin("saliva", "saliva", "Saliva", "唾液", "SA", "PPS", Limits(freeze_within_minutes=240), -80),
        _builtin("adipose_tissue", "adipose_tissue", "Adipose tissue", "脂肪组织", "AT"),
        _builtin("cell_product", "cell_product", "Cell product", "细胞制剂", "CP"),
    )
}


@dataclass(frozen=True)
class ReleaseCriterion:
    """One release criterion of a cell product: a number within [minimum, maximum], or an expected outcome."""

    code: str
    label: Text
    minimum: float | None = None
    maximum: float | None = None
    expect: str | None = None  # one of OUTCOMES
    unit: str = ""

    @property
    def numeric(self) -> bool:
        return self.expect is None


OUTCOMES = ("positive", "negative", "pass", "fail", "normal", "abnormal")


def _criterion(code, en, zh, minimum=None, maximum=None, expect=None, unit="%") -> ReleaseCriterion:
    return ReleaseCriterion(code, Text(en, zh), minimum, maximum, expect, unit if expect is None else "")


# The stem-cell trial's criteria (seed 002) with the ISCT minimal criteria for MSC as the numbers (Dominici et al.,
# Cytotherapy 2006;8:315: >= 95 % positive for the stromal markers, <= 2 % CD45); a protocol may declare its own.
DEFAULT_RELEASE = (
    _criterion("cd44", "CD44+", "CD44阳性", minimum=95),
    _criterion("cd73", "CD73+", "CD73阳性", minimum=95),
    _criterion("cd29", "CD29+", "CD29阳性", minimum=95),
    _criterion("cd45", "CD45−", "CD45阴性", maximum=2),
    _criterion("sterility", "Sterility (aerobes, anaerobes)", "无菌检查（需氧菌、厌氧菌）", expect="negative"),
    _criterion("mycoplasma", "Mycoplasma", "支原体", expect="negative"),
    _criterion("karyotype", "Karyotype", "核型", expect="normal"),
)


@dataclass(frozen=True)
class Biobank:
    types: tuple[SpecimenType, ...] = ()  # the study's own, and built-ins it redefines
    specimen_id_pattern: str = DEFAULT_ID_PATTERN
    freeze_thaw_limit: int | None = None
    release_criteria: tuple[ReleaseCriterion, ...] = DEFAULT_RELEASE

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(BUILTIN_TYPES) | {t.code for t in self.types}

    def specimen_type(self, code: str) -> SpecimenType:
        """The study's definition of ``code``, else the built-in one (KeyError when neither exists)."""
        return next((t for t in self.types if t.code == code), None) or BUILTIN_TYPES[code]

    def all_types(self) -> tuple[SpecimenType, ...]:
        return tuple(self.specimen_type(code) for code in sorted(self.codes))


def biobank_of(protocol) -> Biobank:
    """The protocol's biobank block (the defaults for no protocol, or one built without parse_protocol)."""
    return (protocol.biobank if protocol is not None else None) or Biobank()


def specimen_id(pattern: str, *, study: str, prefix: str, seq: int) -> str:
    return pattern.format(study=study, prefix=prefix, seq=seq)


TYPE_KEYS = ("container", "volume_ml", "limits", "storage_temperature_c", "timing", "derived_from", "prefix")


def read_biobank(r: Reader, data: Any, path: str = "biobank") -> Biobank:
    if data is None:
        return Biobank()
    keys = ("specimen_types", "specimen_id_pattern", "freeze_thaw_limit", "release_criteria")
    if r.mapping(data, path, (), keys) is None:
        return Biobank()
    pattern = r.string(data, "specimen_id_pattern", path, default=DEFAULT_ID_PATTERN)
    _check_pattern(r, join(path, "specimen_id_pattern"), pattern)
    types = [t for p, item in r.items(data, "specimen_types", path, MAX_TYPES) if (t := _read_type(r, item, p))]
    _check_types(r, path, types)
    limit = r.integer(data, "freeze_thaw_limit", path, minimum=0, maximum=100)
    release = tuple(
        c for p, item in r.items(data, "release_criteria", path, MAX_TYPES) if (c := _read_criterion(r, item, p))
    )
    return Biobank(tuple(types), pattern, limit, release if "release_criteria" in data else DEFAULT_RELEASE)


def _read_criterion(r: Reader, data: Any, path: str) -> ReleaseCriterion | None:
    if r.mapping(data, path, ("code", "label"), ("minimum", "maximum", "expect", "unit")) is None:
        return None
    code, label = r.string(data, "code", path), r.text(data, "label", path)
    minimum, maximum = r.number(data, "minimum", path), r.number(data, "maximum", path)
    expect = r.choice(data, "expect", path, OUTCOMES)
    if (expect is None) == (minimum is None and maximum is None):
        r.add(path, gettext_noop("a release criterion gives either `expect` or `minimum`/`maximum`"))
        return None
    if code is None or label is None:
        return None
    return ReleaseCriterion(code, label, minimum, maximum, expect, r.string(data, "unit", path, default=""))


def _read_type(r: Reader, data: Any, path: str) -> SpecimenType | None:
    builtin = BUILTIN_TYPES.get(data.get("code")) if isinstance(data, dict) else None
    required = ("code",) if builtin else ("code", "base", "label")
    if r.mapping(data, path, required, ("base", "label", *TYPE_KEYS)) is None:
        return None
    code = r.string(data, "code", path)
    base = r.choice(data, "base", path, tuple(BASES), default=builtin.base if builtin else None)
    label = r.text(data, "label", path) or (builtin.label if builtin else None)
    if code is None or base is None or label is None:
        return None
    default = builtin or SpecimenType(code, base, label, code[:2].upper())
    return SpecimenType(
        code=code,
        base=base,
        label=label,
        prefix=_prefix(r, data, path, default.prefix),
        container=r.choice(data, "container", path, CONTAINERS, default=default.container),
        volume_ml=r.number(data, "volume_ml", path, default=default.volume_ml),
        limits=_read_limits(r, data.get("limits"), join(path, "limits"), default.limits),
        storage_temperature_c=r.integer(
            data, "storage_temperature_c", path, minimum=-200, maximum=40, default=default.storage_temperature_c
        ),
        timing=r.choice(data, "timing", path, TIMINGS, default=default.timing),
        derived_from=r.string(data, "derived_from", path),
    )


def _prefix(r: Reader, data: dict, path: str, default: str) -> str:
    prefix = r.string(data, "prefix", path, default=default)
    if prefix is None or not (prefix.isascii() and prefix.isalnum() and len(prefix) <= 6):
        r.add(join(path, "prefix"), gettext_noop("a prefix is 1 to 6 letters or digits"))
        return default
    return prefix


def _read_limits(r: Reader, data: Any, path: str, default: Limits) -> Limits:
    if data is None:
        return default
    keys = ("centrifuge_within_minutes", "freeze_within_minutes")
    if r.mapping(data, path, (), keys) is None:
        return default
    values = [r.integer(data, key, path, minimum=1, maximum=MAX_LIMIT_MINUTES) for key in keys]
    return Limits(*values)


def _check_types(r: Reader, path: str, types: list[SpecimenType]) -> None:
    seen: set[str] = set()
    known = set(BUILTIN_TYPES) | {t.code for t in types}
    for index, specimen_type in enumerate(types):
        item = f"{path}.specimen_types[{index}]"
        code = specimen_type.code
        if code in seen:
            r.add(join(item, "code"), gettext_noop("specimen type '%(code)s' is declared twice"), code=code)
        seen.add(code)
        parent = specimen_type.derived_from
        if parent is not None and parent not in known:
            r.add(join(item, "derived_from"), gettext_noop("unknown specimen '%(code)s'"), code=parent)


def _check_pattern(r: Reader, path: str, pattern: str | None) -> None:
    if pattern is None:
        return
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError as exc:
        r.add(path, gettext_noop("not a valid pattern: %(reason)s"), reason=str(exc))
        return
    if names - ID_FIELDS:
        r.add(
            path,
            gettext_noop("a specimen ID may use only {study}, {prefix} and {seq} (no participant data), got %(names)s"),
            names=", ".join(sorted(names - ID_FIELDS)),
        )
    elif "seq" not in names:
        r.add(path, gettext_noop("the pattern needs the sequence field {seq} (e.g. {seq:06d}) to make IDs unique"))
    else:
        try:
            specimen_id(pattern, study="S", prefix="BL", seq=1)
        except (ValueError, IndexError) as exc:
            r.add(path, gettext_noop("not a valid pattern: %(reason)s"), reason=str(exc))
