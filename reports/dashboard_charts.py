"""Server-drawn charts: the geometry of bar charts, line charts and heat maps, computed here and written as inline
SVG by the templates (reports/templates/reports/_chart_*.svg.html), with the table beside them.

Pure Python (no Django). Every mark a chart draws comes from one row or cell of its table, so a page can be checked
by counting the marks against the table (tests/reports/test_browser_dashboards.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 560
LABEL_WIDTH = 170
BAR = 16
GAP = 6
PLOT_HEIGHT = 180
MARGIN = 24
LEVELS = 5  # heat-map shades: level 0 (none received) to 4 (all received)


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    width: float = 0
    height: float = 0
    label: str = ""
    value: object = None
    level: int = 0  # heat maps: the shade class


@dataclass(frozen=True)
class Chart:
    kind: str  # bars, line, heat
    width: int
    height: int
    marks: tuple[Mark, ...]
    points: str = ""  # line: the polyline
    target_y: float | None = None  # line: the target's horizontal rule
    target: float | None = None
    axis: tuple[Mark, ...] = field(default=())  # labels of columns (heat) or of the x axis (line)
    series: tuple = field(default=())  # means: the Series drawn
    row_labels: tuple[Mark, ...] = field(default=())  # heat: the label of each row


def _number(value) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def bar_chart(rows: list[tuple[str, object]]) -> Chart:
    """One horizontal bar per (label, value) row, scaled to the largest value."""
    top = max((_number(v) for _, v in rows), default=0) or 1
    span = WIDTH - LABEL_WIDTH - MARGIN
    marks = tuple(
        Mark(LABEL_WIDTH, i * (BAR + GAP), round(span * _number(v) / top, 1), BAR, label, v)
        for i, (label, v) in enumerate(rows)
    )
    return Chart("bars", WIDTH, max(len(rows), 1) * (BAR + GAP), marks)


def line_chart(rows: list[tuple[str, object]], *, target: float | None = None) -> Chart:
    """One point per (label, value) row joined by a line; ``target`` (if any) drawn as a rule and in the scale."""
    top = max([_number(v) for _, v in rows] + [_number(target)], default=0) or 1
    count = max(len(rows) - 1, 1)
    span = WIDTH - 2 * MARGIN

    def y_of(value) -> float:
        return round(MARGIN + PLOT_HEIGHT * (1 - _number(value) / top), 1)

    marks = tuple(
        Mark(round(MARGIN + span * i / count, 1), y_of(v), label=label, value=v) for i, (label, v) in enumerate(rows)
    )
    points = " ".join(f"{m.x},{m.y}" for m in marks)
    axis = tuple(Mark(m.x, PLOT_HEIGHT + 2 * MARGIN, label=m.label) for m in marks)
    height = PLOT_HEIGHT + 3 * MARGIN
    return Chart("line", WIDTH, height, marks, points, y_of(target) if target else None, target, axis)


def heat_map(row_labels: list[str], column_labels: list[str], cells: list[list[tuple[int, int] | None]]) -> Chart:
    """A cell per (row, column) with something expected: cells hold (received, expected) or None (nothing due)."""
    columns = max(len(column_labels), 1)
    cell_width = (WIDTH - LABEL_WIDTH) / columns
    marks = []
    for r, (label, row) in enumerate(zip(row_labels, cells, strict=True)):
        for c, cell in enumerate(row):
            if cell is None or not cell[1]:
                continue
            received, expected = cell
            level = min(LEVELS - 1, int((LEVELS - 1) * received / expected))
            marks.append(
                Mark(
                    round(LABEL_WIDTH + c * cell_width, 1),
                    MARGIN + r * (BAR + GAP),
                    round(cell_width - 2, 1),
                    BAR,
                    f"{label} · {column_labels[c]}",
                    f"{received}/{expected}",
                    level,
                )
            )
    axis = tuple(
        Mark(round(LABEL_WIDTH + (c + 0.5) * cell_width, 1), MARGIN - 6, label=t) for c, t in enumerate(column_labels)
    )
    rows = tuple(Mark(LABEL_WIDTH - 6, MARGIN + r * (BAR + GAP), label=label) for r, label in enumerate(row_labels))
    height = MARGIN + max(len(row_labels), 1) * (BAR + GAP)
    return Chart("heat", WIDTH, height, tuple(marks), axis=axis, row_labels=rows)


@dataclass(frozen=True)
class Series:
    name: str
    index: int  # the CSS class series-<index> colours it
    points: str  # polyline
    marks: tuple[Mark, ...]  # one per visit with a mean; height/width carry the CI whisker (y of low and high)


def means_chart(columns: list[str], series: dict[str, list[tuple[float, float, float] | None]]) -> Chart:
    """Means with 95 % CI whiskers over ``columns`` (visits), one line per series; None where no value exists."""
    values = [v for points in series.values() for p in points if p for v in p]
    low, high = min(values, default=0.0), max(values, default=1.0)
    if high == low:
        high = low + 1
    count = max(len(columns) - 1, 1)
    span = WIDTH - 2 * MARGIN - LABEL_WIDTH // 2

    def y_of(value: float) -> float:
        return round(MARGIN + PLOT_HEIGHT * (high - value) / (high - low), 1)

    lines = []
    for index, (name, points) in enumerate(series.items()):
        marks = tuple(
            Mark(
                round(MARGIN + span * i / count, 1),
                y_of(p[0]),
                width=y_of(p[1]),
                height=y_of(p[2]),
                label=f"{name} · {columns[i]}",
                value=round(p[0], 2),
            )
            for i, p in enumerate(points)
            if p is not None
        )
        lines.append(Series(name, index % 4, " ".join(f"{m.x},{m.y}" for m in marks), marks))
    axis = tuple(
        Mark(round(MARGIN + span * i / count, 1), PLOT_HEIGHT + 2 * MARGIN, label=c) for i, c in enumerate(columns)
    )
    marks = tuple(m for line in lines for m in line.marks)
    return Chart("means", WIDTH, PLOT_HEIGHT + 3 * MARGIN, marks, axis=axis, series=tuple(lines))
