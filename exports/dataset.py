"""The dataset of an export as columns and rows: pure Python (no Django), so every format writes the same table.

A ``Column`` knows its name (the same in every format), its label in each study language, its kind (integer,
number, date, text), its value labels and where it comes from (instrument code and version). ``instrument_columns``
turns one instrument activity into columns; ``Record``s (one per participant-visit, built by the selectors) turn
into wide rows, participant rows or long rows here.

Missing values stay distinct where the model knows why: a response that exists but leaves an item empty is
"not answered"; an item its own show_if rule hid is "not applicable"; a form never started is simply absent.
The long layout carries the reason in its ``missing`` column; wide layouts leave the cell empty.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from instruments.definitions import Instrument, Item, Label, visible_items

INTEGER, NUMBER, DATE, TEXT = "integer", "number", "date", "text"
NOT_ANSWERED, NOT_APPLICABLE = "not_answered", "not_applicable"
# Stata allows 32 characters, and pyreadstat names a variable's value-label set after it plus a number (up to 4
# digits); the same names in every format let one analysis script read any of them.
NAME_LIMIT = 28
INTEGER_TYPES = ("integer_scale", "single_choice", "yes_no")
NUMBER_TYPES = ("number", "duration", "calculated")
YES_NO = {0: Label(en="No", zh="否"), 1: Label(en="Yes", zh="是")}
NUMERIC = (int, float)  # a number cell's types (not bool, a subclass of int, as JSON decodes them)


def variable_name(*parts: str) -> str:
    """``parts`` joined by ``_`` as a name SPSS, Stata, R and SQL all accept: lower-case letters, digits and
    ``_``, starting with a letter, at most NAME_LIMIT characters (a long name keeps a hash of the whole)."""
    text = re.sub(r"[^a-z0-9_]+", "_", "_".join(parts).lower()).strip("_") or "v"
    if not text[0].isalpha():
        text = "v_" + text
    if len(text) <= NAME_LIMIT:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:6]
    return f"{text[: NAME_LIMIT - 7].rstrip('_')}_{digest}"


def labels_of(label: Label | None, languages: tuple[str, ...]) -> dict[str, str]:
    """A definition's label as {language: text}, only in the study's languages and only where it has text."""
    if label is None:
        return {}
    texts = {"en": label.en, "zh-Hans": label.zh}
    return {language: texts[language] for language in languages if texts.get(language)}


@dataclass(frozen=True)
class Column:
    name: str
    label: dict[str, str]
    kind: str
    value_labels: dict[Any, dict[str, str]] = field(default_factory=dict)
    source: str = ""  # "<instrument code> <version>" for instrument variables, "" for the visit's own
    item: str = ""  # the definition's item (or score) code
    is_date: bool = False  # shifted in a de-identified export

    def label_text(self, language: str = "en") -> str:
        return self.label.get(language) or next(iter(self.label.values()), self.name)


@dataclass(frozen=True)
class Cell:
    value: Any
    missing: str = ""  # NOT_ANSWERED, NOT_APPLICABLE or "" when there is a value


@dataclass
class Form:
    """One stored response as the dataset needs it."""

    activity: str
    instance: int
    instrument: str
    version: str
    values: dict[str, Any]
    scores: dict[str, Any]


@dataclass
class Record:
    """One participant-visit: the visit's own fields and its forms by (activity, instance)."""

    participant: str
    site: str
    arm: str | None
    visit: str
    repeat: int | None
    visit_date: dt.date | None
    target_date: dt.date | None
    window: str
    forms: dict[tuple[str, int], Form] = field(default_factory=dict)
    measures: dict[str, Any] = field(default_factory=dict)  # acquisitions' derived measures by column name


@dataclass(frozen=True)
class Variable:
    """A column of one activity and how to read it from a form: ``read`` gives the cell with why it is missing
    (the long layout), ``value`` only the value (the wide layouts, which need no reason and so no branching)."""

    column: Column
    read: Callable[[Form, set[str]], Cell]
    value: Callable[[Form], Any]
    lookup: tuple[str, str] | None = None  # ("values" or "scores", key) when the value is that key's number


@dataclass(frozen=True)
class Block:
    """The variables of one activity instance (its columns are prefixed by the activity and instance)."""

    activity: str
    instance: int
    instrument: Instrument
    variables: tuple[Variable, ...]

    @cached_property
    def runs(self) -> tuple[tuple[str, tuple], ...]:
        """The variables as runs read together: ("values" or "scores", keys) for consecutive numbers looked up
        in one mapping (one C-level ``map`` per run), ("other", variables) for the rest."""
        runs: list[tuple[str, list]] = []
        for variable in self.variables:
            source, key = variable.lookup or ("other", variable)
            if not runs or runs[-1][0] != source:
                runs.append((source, []))
            runs[-1][1].append(key)
        return tuple((source, tuple(keys)) for source, keys in runs)

    def values(self, form: Form) -> list[Any]:
        """The block's cells of ``form`` in the wide layouts (values only, numbers as numbers)."""
        out: list[Any] = []
        for source, keys in self.runs:
            if source == "other":
                out += [variable.value(form) for variable in keys]
            else:
                found = map((form.values if source == "values" else form.scores).get, keys)
                out += [value if type(value) in NUMERIC else None for value in found]
        return out


@dataclass(frozen=True)
class Measures:
    """The derived measures of one kind of acquisition (psg, hrv, emg; for MRI the number of series of each
    label), one column each, read from the record's ``measures`` by column name."""

    kind: str
    label: dict[str, str]
    columns: tuple[Column, ...]


ACQUISITION_LABELS = {
    "psg": ("Polysomnography", "多导睡眠监测"),
    "hrv": ("Heart-rate variability", "心率变异性"),
    "emg": ("Electromyography", "肌电图"),
    "mri": ("MRI series", "磁共振序列"),
}


def measure_name(kind: str, name: str) -> str:
    return variable_name(kind, name)


def acquisition_measures(
    measures: Iterable[tuple[str, str, str]], series: Iterable[str], languages: tuple[str, ...]
) -> tuple[Measures, ...]:
    """Columns for (kind, measure, unit) of the derived measures and for the MRI series labels, kind by kind."""
    by_kind: dict[str, list[Column]] = {}
    for kind, name, unit in measures:
        text = f"{name} ({unit})" if unit else name
        column = Column(measure_name(kind, name), dict.fromkeys(languages, text), NUMBER, {}, kind, name)
        by_kind.setdefault(kind, []).append(column)
    for label in series:
        en, zh = ACQUISITION_LABELS["mri"]
        texts = labels_of(Label(en=f"{en}: {label} (number)", zh=f"{zh}：{label}（数量）"), languages)
        by_kind.setdefault("mri", []).append(Column(measure_name("mri", label), texts, INTEGER, {}, "mri", label))
    groups = []
    for kind, columns in by_kind.items():
        en, zh = ACQUISITION_LABELS.get(kind, (kind, kind))
        groups.append(Measures(kind, labels_of(Label(en=en, zh=zh), languages), tuple(columns)))
    return tuple(groups)


def visit_columns(languages: tuple[str, ...], *, arms: bool) -> list[Column]:
    def label(en: str, zh: str) -> dict[str, str]:
        return labels_of(Label(en=en, zh=zh), languages)

    columns = [
        Column("participant", label("Participant", "受试者"), TEXT),
        Column("site", label("Site", "中心"), TEXT),
    ]
    if arms:  # only for a user who may see arms (accounts.capabilities.sees_arms)
        columns.append(Column("arm", label("Arm", "组别"), TEXT))
    return columns + [
        Column("visit", label("Visit", "访视"), TEXT),
        Column("visit_repeat", label("Visit occurrence", "访视次序"), INTEGER),
        Column("visit_date", label("Visit date", "访视日期"), DATE, is_date=True),
        Column("visit_target_date", label("Visit target date", "访视目标日期"), DATE, is_date=True),
        Column("visit_window", label("Visit window status", "访视窗口状态"), TEXT),
    ]


def record_cells(record: Record, *, arms: bool) -> list[Any]:
    head = [record.participant, record.site] + ([record.arm or None] if arms else [])
    return head + [
        record.visit,
        record.repeat,
        record.visit_date,
        record.target_date,
        record.window or None,
    ]


def _item_kind(item: Item) -> str:
    if item.type in INTEGER_TYPES:
        return INTEGER
    if item.type in NUMBER_TYPES:
        return NUMBER
    return DATE if item.type == "date" else TEXT


def _value_labels(item: Item, languages: tuple[str, ...]) -> dict[Any, dict[str, str]]:
    if item.type == "yes_no":
        return {code: labels_of(label, languages) for code, label in YES_NO.items()}
    if item.options:
        return {option.code: labels_of(option.label, languages) for option in item.options}
    return {}


def _reader(item: Item, convert: Callable[[Any], Any]) -> Callable[[Form, set[str]], Cell]:
    def read(form: Form, visible: set[str]) -> Cell:
        value = form.values.get(item.code)
        if value is None or value == "" or value == []:
            hidden = item.entered and item.code not in visible
            return Cell(None, NOT_APPLICABLE if hidden else NOT_ANSWERED)
        return Cell(convert(value))

    return read


def _value_reader(item: Item, convert: Callable[[Any], Any]) -> Callable[[Form], Any]:
    code = item.code
    if convert is _as_number:  # most variables: one lookup and one type test per cell

        def number(form: Form) -> Any:
            found = form.values.get(code)
            return found if type(found) in NUMERIC else None

        return number

    def value(form: Form) -> Any:
        found = form.values.get(code)
        return None if found is None or found == "" or found == [] else convert(found)

    return value


def _as_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _as_number(value: Any) -> Any:
    return value if type(value) in NUMERIC else None  # not bool (a subclass of int), as JSON decodes them


def _option_reader(item: Item, code: int) -> Callable[[Form, set[str]], Cell]:
    def read(form: Form, visible: set[str]) -> Cell:
        chosen = form.values.get(item.code)
        if not chosen:
            return Cell(None, NOT_APPLICABLE if item.code not in visible else NOT_ANSWERED)
        return Cell(1 if code in chosen else 0)

    return read


def _option_value(item: Item, code: int) -> Callable[[Form], Any]:
    def value(form: Form) -> Any:
        chosen = form.values.get(item.code)
        return (1 if code in chosen else 0) if chosen else None

    return value


def _option_label(item: dict[str, str], option: dict[str, str]) -> dict[str, str]:
    return {language: f"{text}: {option.get(language, '')}" for language, text in item.items()}


def _item_variables(prefix: str, item: Item, source: str, languages: tuple[str, ...]) -> list[Variable]:
    label = labels_of(item.label, languages)
    if item.type == "multiple_choice":  # one 0/1 column per option, as REDCap's checkbox___<code>
        return [
            Variable(
                Column(
                    variable_name(prefix, item.code, str(option.code)),
                    {
                        lang: f"{text}: {labels_of(option.label, languages).get(lang, '')}"
                        for lang, text in label.items()
                    },
                    INTEGER,
                    {code: labels_of(text, languages) for code, text in YES_NO.items()},
                    source,
                    item.code,
                ),
                _option_reader(item, option.code),
                _option_value(item, option.code),
            )
            for option in item.options
        ]
    kind = _item_kind(item)
    convert = {INTEGER: _as_number, NUMBER: _as_number, DATE: _as_date}.get(kind, str)
    column = Column(
        variable_name(prefix, item.code), label, kind, _value_labels(item, languages), source, item.code, kind == DATE
    )
    lookup = ("values", item.code) if convert is _as_number else None
    return [Variable(column, _reader(item, convert), _value_reader(item, convert), lookup)]


def _score_reader(name: str) -> Callable[[Form, set[str]], Cell]:
    def read(form: Form, visible: set[str]) -> Cell:
        value = form.scores.get(name)
        return Cell(None, NOT_ANSWERED) if value is None else Cell(value)

    return read


def _score_value(name: str) -> Callable[[Form], Any]:
    return lambda form: form.scores.get(name)


def instrument_block(
    activity: str, instance: int, instrument: Instrument, *, languages: tuple[str, ...], free_text: bool, dates: bool
) -> Block:
    """The variables of one activity instance: its items (free text only when asked for; partial dates only
    when dates are real, since a partial date cannot be shifted by days) and its stored scores."""
    prefix = activity if instance == 1 else f"{activity}_i{instance}"
    source = f"{instrument.code} {instrument.version}"
    variables: list[Variable] = []
    for item in instrument.items:
        if not item.entered:  # a calculated item: its value is stored with the scores, not the answers
            column = Column(
                variable_name(prefix, item.code), labels_of(item.label, languages), NUMBER, {}, source, item.code
            )
            lookup = ("scores", item.code)
            variables.append(Variable(column, _score_reader(item.code), _score_value(item.code), lookup))
            continue
        if item.type == "text" and not free_text:
            continue
        if item.type == "partial_date" and not dates:
            continue
        variables += _item_variables(prefix, item, source, languages)
    for spec in instrument.scores:
        kind = TEXT if spec.bands else NUMBER
        value_labels = {band: labels_of(text, languages) for band, text in spec.bands}
        column = Column(
            variable_name(prefix, spec.name), labels_of(spec.label, languages), kind, value_labels, source, spec.name
        )
        lookup = None if kind == TEXT else ("scores", spec.name)
        variables.append(Variable(column, _score_reader(spec.name), _score_value(spec.name), lookup))
    return Block(activity, instance, instrument, tuple(variables))


def block_cells(block: Block, record: Record) -> list[Cell]:
    form = record.forms.get((block.activity, block.instance))
    if form is None:
        return [Cell(None) for _ in block.variables]
    visible = visible_items(block.instrument, form.values)
    return [variable.read(form, visible) for variable in block.variables]


def shift(value: Any, days: int) -> Any:
    return value + dt.timedelta(days=days) if isinstance(value, dt.date) and days else value


@dataclass(frozen=True)
class Layout:
    """Which columns an export has, for a set of blocks: the visit's columns then each block's."""

    head: tuple[Column, ...]
    blocks: tuple[Block, ...]
    arms: bool
    measures: tuple[Measures, ...] = ()

    @property
    def columns(self) -> list[Column]:
        forms = [variable.column for block in self.blocks for variable in block.variables]
        return list(self.head) + forms + [column for group in self.measures for column in group.columns]

    @cached_property
    def _measure_names(self) -> tuple[str, ...]:
        return tuple(column.name for group in self.measures for column in group.columns)

    @cached_property
    def _empty(self) -> tuple[tuple[None, ...], ...]:
        """Each block's cells when the record lacks its form (most blocks of most records)."""
        return tuple((None,) * len(block.variables) for block in self.blocks)

    @cached_property
    def _dates(self) -> tuple[int, ...]:
        """Positions of the date columns: the only cells that hold dates (so the only ones a shift moves)."""
        return tuple(index for index, column in enumerate(self.columns) if column.kind == DATE)

    def wide_row(self, record: Record, *, days: int = 0) -> list[Any]:
        """One participant-visit row; dates moved by ``days`` (the participant's offset, 0 when identified)."""
        cells = record_cells(record, arms=self.arms)
        forms = record.forms
        for block, empty in zip(self.blocks, self._empty, strict=True):
            form = forms.get((block.activity, block.instance))
            if form is None:
                cells += empty
            else:
                cells += block.values(form)
        if self._measure_names:
            found = record.measures
            cells += [found.get(name) for name in self._measure_names]
        if days:
            for index in self._dates:
                cells[index] = shift(cells[index], days)
        return cells

    def long_rows(self, record: Record, *, days: int = 0) -> Iterator[list[Any]]:
        """One row per participant-visit-form-variable of the forms the record has."""
        head = [shift(value, days) for value in record_cells(record, arms=self.arms)]
        for block in self.blocks:
            if (block.activity, block.instance) not in record.forms:
                continue
            for variable, cell in zip(block.variables, block_cells(block, record), strict=True):
                value = shift(cell.value, days)
                label = variable.column.value_labels.get(value, {}).get("en", "") if value is not None else ""
                yield head + [
                    block.activity,
                    block.instance,
                    block.instrument.code,
                    block.instrument.version,
                    variable.column.name,
                    value,
                    cell.missing or None,
                    label or None,
                ]
        for group in self.measures:
            for column in group.columns:
                value = record.measures.get(column.name)
                if value is not None:
                    yield head + [group.kind, 1, group.kind, "", column.name, value, None, None]


LONG_TAIL = (
    Column("activity", {"en": "Activity"}, TEXT),
    Column("instance", {"en": "Form instance"}, INTEGER),
    Column("instrument", {"en": "Instrument"}, TEXT),
    Column("instrument_version", {"en": "Instrument version"}, TEXT),
    Column("variable", {"en": "Variable"}, TEXT),
    Column("value", {"en": "Value"}, TEXT),
    Column("missing", {"en": "Why the value is missing (not_answered, not_applicable)"}, TEXT),
    Column("value_label", {"en": "Value label"}, TEXT),
)


def long_columns(layout: Layout) -> list[Column]:
    return list(layout.head) + list(LONG_TAIL)


def participant_columns(layout: Layout, visits: Iterable[str]) -> list[Column]:
    """One row per participant: the participant's columns once, then every visit column prefixed by the visit."""
    fixed = 3 if layout.arms else 2
    columns = list(layout.head[:fixed])
    for visit in visits:
        for column in layout.columns[fixed + 1 :]:  # not the visit code itself: it is in the name
            columns.append(
                Column(
                    variable_name(visit, column.name),
                    {lang: f"{visit}: {text}" for lang, text in column.label.items()},
                    column.kind,
                    column.value_labels,
                    column.source,
                    column.item,
                    column.is_date,
                )
            )
    return columns


def participant_row(layout: Layout, visits: list[str], records: list[Record], *, days: int = 0) -> list[Any]:
    """The wide rows of one participant's records side by side, in ``visits`` order (a visit's first occurrence)."""
    fixed = 3 if layout.arms else 2
    by_visit: dict[str, list[Any]] = {}
    for record in records:
        by_visit.setdefault(record.visit, layout.wide_row(record, days=days))
    width = len(layout.columns) - fixed - 1
    first = layout.wide_row(records[0], days=days)[:fixed]
    row = list(first)
    for visit in visits:
        wide = by_visit.get(visit)
        row += wide[fixed + 1 :] if wide else [None] * width
    return row
