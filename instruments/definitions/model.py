"""Frozen dataclasses for an instrument definition (see docs/instrument-format.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from instruments.expressions import Expression

ITEM_TYPES = (
    "integer_scale",
    "single_choice",
    "multiple_choice",
    "yes_no",
    "number",
    "date",
    "partial_date",
    "time",
    "duration",
    "text",
    "calculated",
)
CHOICE_TYPES = ("single_choice", "multiple_choice")
# Types whose stored value is a number, so show_if may compare them with > and <.
NUMERIC_TYPES = ("integer_scale", "single_choice", "multiple_choice", "yes_no", "number", "duration")
OPS = ("==", "!=", ">", ">=", "<", "<=", "in", "answered", "unanswered")
KINDS = ("scale", "crf")
SEVERITIES = ("error", "warning")  # a plausibility check's: refused, or saved once confirmed with a reason
RESPONDENTS = ("participant", "clinician", "coordinator")


@dataclass(frozen=True)
class Label:
    en: str
    zh: str

    def to_dict(self) -> dict[str, str]:
        return {"en": self.en, "zh": self.zh}


@dataclass(frozen=True)
class Option:
    code: int
    label: Label


@dataclass(frozen=True)
class Condition:
    """One show_if node: a comparison (``item``/``op``/``value``) or all/any/not of children."""

    kind: str  # "item", "all", "any" or "not"
    item: str | None = None
    op: str | None = None
    value: Any = None
    children: tuple[Condition, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The condition in the YAML/JSON form, which static/js/branching.js evaluates too."""
        if self.kind == "item":
            out: dict[str, Any] = {"item": self.item, "op": self.op}
            if self.op not in ("answered", "unanswered"):
                out["value"] = list(self.value) if isinstance(self.value, tuple) else self.value
            return out
        if self.kind == "not":
            return {"not": self.children[0].to_dict()}
        return {self.kind: [child.to_dict() for child in self.children]}

    def item_codes(self) -> set[str]:
        if self.kind == "item":
            return {self.item} if self.item else set()
        return set().union(*(child.item_codes() for child in self.children))


@dataclass(frozen=True)
class Item:
    code: str
    type: str
    label: Label
    required: bool = True
    help: Label | None = None
    show_if: Condition | None = None
    options: tuple[Option, ...] = ()
    min: float | None = None
    max: float | None = None
    decimals: int | None = None
    unit: str | None = None
    max_length: int | None = None
    multiline: bool = False
    anchors: dict[str, Label] = field(default_factory=dict, hash=False, compare=True)
    formula_note: Label | None = None
    expression: Expression | None = None  # a calculated item computed from the others (not by a scorer)

    @property
    def option_codes(self) -> tuple[int, ...]:
        return tuple(option.code for option in self.options)

    @property
    def entered(self) -> bool:
        """False for calculated items, whose value comes from the scorer."""
        return self.type != "calculated"


@dataclass(frozen=True)
class ScoreSpec:
    name: str
    label: Label
    min: float | None = None
    max: float | None = None
    bands: tuple[tuple[str, Label], ...] = ()  # band value -> its label, for a score that is a category
    expression: Expression | None = None  # computed from the items, not returned by the scorer
    # The items and scores it is computed from (an expression's are its own): what a blank score says it needs.
    needs: tuple[str, ...] = ()

    def band_label(self, value: str) -> Label | None:
        return dict(self.bands).get(value)


@dataclass(frozen=True)
class Check:
    """A plausibility check (``checks:``): ``expression`` must hold; blank (a value missing) passes.

    ``error`` refuses the save on every write path; ``warning`` is saved only once the user confirms it
    with a reason, and the confirmation opens a data query (workflows.services.response_submit).
    """

    code: str
    expression: Expression
    severity: str  # one of SEVERITIES
    message: Label
    items: tuple[str, ...] = ()  # the items and scores it reads, in the form's order: the last is marked and queried

    @classmethod
    def of(cls, code: str, expression: Expression, severity: str, message: Label, order) -> Check:
        """A check whose ``items`` follow ``order`` (the instrument's item codes, then its score names)."""
        position = {name: n for n, name in enumerate(order)}
        items = sorted(expression.references, key=lambda name: (position.get(name, len(position)), name))
        return cls(code, expression, severity, message, tuple(items))


@dataclass(frozen=True)
class Section:
    code: str
    title: Label
    items: tuple[str, ...]


@dataclass(frozen=True)
class Instrument:
    code: str
    version: str
    title: Label
    items: tuple[Item, ...]
    short_title: Label | None = None
    kind: str = "scale"
    respondent: str = "participant"
    repeating: bool = False
    licence: str = ""
    source: str = ""
    scorer: str | None = None
    instructions: Label | None = None
    scores: tuple[ScoreSpec, ...] = ()
    sections: tuple[Section, ...] = ()
    checks: tuple[Check, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.code, self.version)

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    def item_codes(self) -> list[str]:
        return [item.code for item in self.items]

    def score_names(self) -> list[str]:
        """Every name stored in a response's scores: the listed scores, then the calculated items."""
        return [spec.name for spec in self.scores] + [item.code for item in self.items if not item.entered]

    def show_if_json(self) -> dict[str, dict[str, Any]]:
        """item code -> show_if dict, for the browser (data-show-if attributes)."""
        return {item.code: item.show_if.to_dict() for item in self.items if item.show_if}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition: where (file and key path) and what."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"


class DefinitionError(ValueError):
    """A definition has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))
