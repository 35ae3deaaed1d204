"""The link between a definition and instruments.scoring: checks at start-up, compute on save."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from instruments.expressions import LANGUAGE_VERSION, evaluate

from .model import Instrument, Item, Problem


def _scoring():
    # Imported late: a broken scorer module must become a reported problem, not a failed start-up.
    from instruments import scoring

    return scoring


def compute(instrument: Instrument, values: Mapping[str, Any]) -> dict[str, Any]:
    """Every score of these cleaned values in one dict: the Python scorer's (when the instrument has one),
    then each calculated item with an expression (in item order, each seeing those above it), then each
    expression score (seeing the items and the scores above it). {} when there is nothing to compute."""
    scores: dict[str, Any] = dict(_scoring().score(instrument.scorer, values)) if instrument.scorer else {}
    known = dict(values)
    for item in instrument.items:
        if item.expression is not None:
            scores[item.code] = known[item.code] = evaluate(item.expression, known)
    for spec in instrument.scores:
        if spec.expression is not None:
            scores[spec.name] = evaluate(spec.expression, known | scores)
    return scores


def has_expressions(instrument: Instrument) -> bool:
    return any(item.expression for item in instrument.items) or any(spec.expression for spec in instrument.scores)


def scoring_version(instrument: Instrument) -> str:
    """What computed a response's scores: the scorer's version, then ``expr<N>`` for the expression language
    when the definition has expressions ("" when it has neither). A scorer-only instrument keeps the bare
    scorer version, so responses stored before expressions existed are not rescored for nothing."""
    parts = [_scoring().scoring_version(instrument.scorer)] if instrument.scorer else []
    if has_expressions(instrument):
        parts.append(f"expr{LANGUAGE_VERSION}")
    return "+".join(parts)


def sample_value(item: Item) -> Any:
    """A valid answer for ``item``, used to learn which score names a scorer returns."""
    low, high = item.min, item.max
    middle = (low + high) / 2 if low is not None and high is not None else (low if low is not None else high)
    samples = {
        "integer_scale": int(low) if low is not None else 0,
        "single_choice": item.option_codes[0] if item.options else None,
        "multiple_choice": [item.option_codes[0]] if item.options else None,
        "yes_no": 1,
        "number": round(middle if middle is not None else 1.0, item.decimals or 0),
        "date": "2024-01-15",
        "partial_date": "2024-01",
        "time": "08:00",
        "duration": middle if middle is not None else 60,
        "text": "x",
    }
    return samples.get(item.type)


def sample_response(instrument: Instrument) -> dict[str, Any]:
    return {item.code: sample_value(item) for item in instrument.items if item.entered}


def scorer_problems(instrument: Instrument, file: str) -> list[Problem]:
    """Scorer registered, and its result names equal to the ``scores`` list."""
    if not instrument.scorer:
        if any(spec.expression is None for spec in instrument.scores):
            return [Problem(file, "scores", "scores without an expression are listed but scorer is null")]
        return []
    try:
        scoring = _scoring()
    except Exception as error:  # noqa: BLE001 - any import failure is reported, not raised
        return [Problem(file, "scorer", f"instruments.scoring failed to import: {error!r}")]
    if instrument.scorer not in scoring.SCORERS:
        message = f"scorer {instrument.scorer!r} is not registered in instruments.scoring"
        return [Problem(file, "scorer", message)]
    try:
        returned = set(scoring.score(instrument.scorer, sample_response(instrument)))
    except Exception as error:  # noqa: BLE001 - scorers must not raise; say so instead of crashing
        return [Problem(file, "scorer", f"scorer {instrument.scorer!r} raised on a full response: {error!r}")]
    listed = {spec.name for spec in instrument.scores if spec.expression is None}
    problems = []
    if returned - listed:
        problems.append(Problem(file, "scores", f"scorer returns {sorted(returned - listed)}, not in scores"))
    if listed - returned:
        problems.append(Problem(file, "scores", f"scores lists {sorted(listed - returned)}, not returned"))
    return problems
