"""The optional `series_rules` section of a protocol file: study-specific MRI series labels.

Each rule gives a `label` and at least one condition: `match`, a case-insensitive regular expression searched in
"series description | protocol name | sequence name"; `image_type`, a term of ImageType; TR/TE limits in ms
(`tr_min_ms`, `tr_max_ms`, `te_min_ms`, `te_max_ms`). A named group `task` in `match` makes `label:<task>`.
The imaging app tries these rules, in file order, ahead of its default rules (imaging.readers.dicom_series).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import limits
from .reader import Reader, gettext_noop, join

LIMITS = ("tr_min_ms", "tr_max_ms", "te_min_ms", "te_max_ms")
OPTIONAL = ("match", "image_type", *LIMITS)
LABEL = re.compile(r"^[a-z0-9_]+(:[a-z0-9_]+)?$")


@dataclass(frozen=True)
class SeriesRule:
    label: str
    pattern: str = ""
    image_type: str = ""
    tr_min_ms: float | None = None
    tr_max_ms: float | None = None
    te_min_ms: float | None = None
    te_max_ms: float | None = None


def read_series_rules(r: Reader, data: dict) -> list[tuple[str, SeriesRule]]:
    """Every rule of `series_rules`, each with its key path; problems go to ``r``."""
    out = []
    for path, item in r.items(data, "series_rules", "", limits.MAX_RULES):
        rule = _read_rule(r, item, path)
        if rule is not None:
            out.append((path, rule))
    return out


def _read_rule(r: Reader, data: Any, path: str) -> SeriesRule | None:
    if r.mapping(data, path, ("label",), OPTIONAL) is None:
        return None
    label, pattern = r.string(data, "label", path), r.string(data, "match", path, "")
    image_type = r.string(data, "image_type", path, "")
    limits = {key: r.number(data, key, path) for key in LIMITS}
    ok = label is not None and _label_ok(r, label, path) and _pattern_ok(r, pattern, path)
    ok = _limits_ok(r, limits, path) and ok
    if not (pattern or image_type or any(v is not None for v in limits.values())):
        r.add(path, gettext_noop("a series rule needs a condition: match, image_type or a TR/TE limit"))
        ok = False
    return SeriesRule(label, pattern or "", image_type or "", **limits) if ok else None


def _label_ok(r: Reader, label: str, path: str) -> bool:
    if not LABEL.match(label):
        r.add(
            join(path, "label"),
            gettext_noop("labels are lower-case letters, digits and _ (e.g. t1w_head or bold:rest); got '%(label)s'"),
            label=label,
        )
        return False
    return True


def _pattern_ok(r: Reader, pattern: str | None, path: str) -> bool:
    try:
        re.compile(pattern or "")
    except re.error as error:
        r.add(join(path, "match"), gettext_noop("not a valid regular expression: %(reason)s"), reason=str(error))
        return False
    return True


def _limits_ok(r: Reader, limits: dict, path: str) -> bool:
    ok = True
    for key, value in limits.items():
        if value is not None and value < 0:
            r.add(join(path, key), gettext_noop("must be %(minimum)s or more, got %(value)s"), minimum=0, value=value)
            ok = False
    for low, high in (("tr_min_ms", "tr_max_ms"), ("te_min_ms", "te_max_ms")):
        if None not in (limits[low], limits[high]) and limits[low] > limits[high]:
            r.add(
                join(path, low),
                gettext_noop("%(low)s (%(low_value)s) is above %(high)s (%(high_value)s)"),
                low=low,
                low_value=limits[low],
                high=high,
                high_value=limits[high],
            )
            ok = False
    return ok
