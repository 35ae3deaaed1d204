"""The rows every benchmark returns, and the one table ``python -m benchmarks`` prints and writes.

A row is a plain dict (JSON as it is): ``key`` (stable, what tests and the README look up), ``figure`` (words),
``value`` and ``unit``, and where the same run measured one, ``reference`` (its words), ``reference_value`` and
``ratio`` (value / reference value, in the same unit). A script run alone prints its own report; run with
``--json`` it also prints its rows on one last line after ``MARKER``, which is how the command collects them.
No Django here: the scripts import this before they set Django up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

MARKER = "BENCHMARK-ROWS "
README_BEGIN = "<!-- performance:begin (python -m benchmarks --readme rewrites this block) -->"
README_END = "<!-- performance:end -->"


def row(
    key: str,
    figure: str,
    value: float,
    unit: str,
    *,
    reference: str = "",
    reference_value: float | None = None,
    note: str = "",
) -> dict:
    ratio = value / reference_value if reference_value else None
    return {
        "key": key,
        "figure": figure,
        "value": value,
        "unit": unit,
        "reference": reference,
        "reference_value": reference_value,
        "ratio": ratio,
        "note": note,
    }


def emit(rows: Iterable[dict]) -> None:
    """The rows on one line, for the command that ran this script (``--json``)."""
    print(MARKER + json.dumps(list(rows)), flush=True)


def parse(output: str) -> list[dict]:
    for line in reversed(output.splitlines()):
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    return []


def _number(value: float | None) -> str:
    if value is None:
        return ""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}x"


def markdown(rows: list[dict]) -> str:
    lines = ["| figure | value | unit | reference (same run) | ratio |", "|---|---:|---|---|---:|"]
    for one in rows:
        reference = one["reference"]
        if one["reference_value"] is not None:
            reference = f"{reference}: {_number(one['reference_value'])}"
        figure = one["figure"] + (f" ({one['note']})" if one.get("note") else "")
        cells = [figure, _number(one["value"]), one["unit"], reference, _ratio(one["ratio"])]
        lines.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def text(rows: list[dict]) -> str:
    """The table for a terminal: fixed-width columns."""
    width = max([len(one["figure"]) for one in rows] + [6])
    out = [f"{'figure':<{width}}  {'value':>10}  {'unit':<12}  {'reference':>10}  {'ratio':>8}"]
    for one in rows:
        out.append(
            f"{one['figure']:<{width}}  {_number(one['value']):>10}  {one['unit']:<12}  "
            f"{_number(one['reference_value']):>10}  {_ratio(one['ratio']):>8}"
        )
    return "\n".join(out) + "\n"


def readme_block(result: dict) -> str:
    """The README's generated part: how it was measured, then the table."""
    meta = result["meta"]
    lines = [
        README_BEGIN,
        "",
        f"Measured {meta['finished']} on {meta['machine']}, {meta['database']}, {meta['participants']:,} "
        f"participants ({meta['counts']}), DEBUG off, in {meta['seconds'] / 60:.0f} min.",
        f"Reproduce: `{meta['command']}`. Each reference was measured in the same run; compare ratios across runs, "
        "absolute times depend on the machine's load.",
        "",
        markdown(result["rows"]).rstrip("\n"),
        "",
    ]
    if result.get("errors"):
        lines += [f"Not in this table (failed or stopped; latest.json says why): {', '.join(result['errors'])}.", ""]
    lines.append(README_END)
    return "\n".join(lines)


def rewrite_readme(readme: Path, result: dict) -> None:
    """Replace the block between the two markers (which must be there) with ``result``'s table."""
    content = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(README_BEGIN) + ".*?" + re.escape(README_END), re.S)
    if not pattern.search(content):
        raise SystemExit(f"{readme}: no {README_BEGIN!r} ... {README_END!r} block to rewrite")
    readme.write_text(pattern.sub(lambda _match: readme_block(result), content, count=1), encoding="utf-8")
