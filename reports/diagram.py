"""Layout of the CONSORT diagram: boxes with wrapped lines and arrows, in SVG user units (pure, no I/O).

The template ``reports/consort_diagram.svg`` draws what ``layout`` returns; labels come translated.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .consort import ArmFlow, ConsortFlow

FONT = 12
LINE = 16
PAD = 8
MARGIN = 20
GAP = 16
COLUMN = 250
MAIN = 280
SIDE = 380
ROW_GAP = 34
MAX_LINES_PER_REASON = 2


@dataclass(frozen=True)
class TextLine:
    text: str
    bold: bool
    x: float
    y: float


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    lines: tuple[TextLine, ...]
    css: str = ""


@dataclass(frozen=True)
class Arrow:
    x1: float
    y1: float
    x2: float
    y2: float
    head: bool = True


@dataclass(frozen=True)
class Diagram:
    width: float
    height: float
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]


def _char_width(char: str) -> float:
    return 1.0 if unicodedata.east_asian_width(char) in ("W", "F") else 0.52


def wrap(text: str, width: float, *, max_lines: int | None = None) -> list[str]:
    """``text`` in lines no wider than ``width`` units (CJK characters are wider; breaks at spaces when it can)."""
    limit = width / FONT
    lines, current, used = [], "", 0.0
    for char in text:
        w = _char_width(char)
        if used + w > limit and current:
            cut = current.rfind(" ")
            if cut > len(current) // 2 and w < 1:
                lines.append(current[:cut])
                current = current[cut + 1 :]
            else:
                lines.append(current)
                current = ""
            used = sum(_char_width(c) for c in current)
            if char == " " and not current:
                continue
        current += char
        used += w
    if current:
        lines.append(current)
    if max_lines and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def _n(label: str, n) -> str:
    return _("%(label)s (n = %(n)s)") % {"label": label, "n": n}


def _box(x: float, y: float, w: float, content: list[tuple[str, bool, int]], css: str = "") -> Box:
    """``content``: (text, bold, indent level)."""
    lines = []
    for text_, bold, indent in content:
        max_lines = MAX_LINES_PER_REASON if indent >= 2 else None
        for part in wrap(text_, w - 2 * PAD - indent * 12, max_lines=max_lines):
            lines.append((part, bold, indent))
    placed = tuple(
        TextLine(part, bold, x + PAD + indent * 12, y + PAD + FONT + i * LINE)
        for i, (part, bold, indent) in enumerate(lines)
    )
    return Box(x, y, w, 2 * PAD + max(1, len(lines)) * LINE - (LINE - FONT), placed, css)


def _lines(lines) -> list[tuple[str, bool, int]]:
    return [(f"{line.label} ({line.n})", False, 2) for line in lines]


def _exclusion_content(flow: ConsortFlow) -> list[tuple[str, bool, int]]:
    ex = flow.excluded
    content = [(_n(_("Excluded"), ex.n), True, 0), (_n(_("Not meeting the criteria"), ex.screen_failed), False, 1)]
    content += _lines(ex.criteria)
    content.append((_n(_("Declined to participate (asked to consent, refused)"), ex.declined), False, 1))
    content.append((_n(_("Still in screening"), ex.screening), False, 1))
    content += _lines(ex.screening_reasons)
    if ex.other:
        content.append((_n(_("Other reasons"), ex.other), False, 1))
        content += _lines(ex.other_reasons)
    return content


def _allocation_content(flow: ConsortFlow, arm: ArmFlow) -> list[tuple[str, bool, int]]:
    label = _("Allocated") if flow.arms_visible else _("Allocated, arms pooled")
    content = [(arm.name, True, 0), (_n(label, arm.allocated), False, 0)]
    if arm.intervention is not None and arm.intervention.none:
        content.append((_("No intervention (wait-list or usual care)"), False, 1))
    elif arm.received is not None:
        received = _("Received the allocated intervention")
        if arm.intervention is not None and arm.intervention.label:
            received = _("Received the allocated intervention (%(label)s)") % {"label": arm.intervention.label}
        content.append((_n(received, arm.received), False, 1))
        content.append((_n(_("Did not receive it (yet)"), arm.not_received), False, 1))
    return content


def _follow_up_content(arm: ArmFlow) -> list[tuple[str, bool, int]]:
    content = [
        (_("Follow-up"), True, 0),
        (_n(_("Lost to follow-up (could not be reached)"), arm.lost), False, 0),
        (_n(_("Missed the analysis visit (not lost)"), arm.missed_visit), False, 0),
    ]
    content += _lines(arm.missed_reasons)
    content += [(_n(_("Discontinued"), arm.discontinued), False, 0)]
    content += _lines(arm.discontinuation_reasons)
    content.append((_n(_("Withdrawn"), arm.withdrawn), False, 0))
    return content + _lines(arm.withdrawal_reasons)


def _analysis_content(flow: ConsortFlow, arm: ArmFlow) -> list[tuple[str, bool, int]]:
    if arm.analysed is None:
        return [(_("Analysis"), True, 0), (_("No analysis visit declared in the protocol"), False, 0)]
    visits = ", ".join(flow.analysis_visits)
    content = [(_n(_("Analysed (%(visits)s completed)") % {"visits": visits}, arm.analysed), True, 0)]
    content.append((_n(_("Excluded from analysis"), arm.excluded_from_analysis), False, 0))
    return content + _lines(arm.exclusion_reasons)


def _row(y: float, xs: list[float], contents: list, css: str = "") -> tuple[list[Box], float]:
    boxes = [_box(x, y, COLUMN, content, css) for x, content in zip(xs, contents, strict=True)]
    height = max(box.h for box in boxes)
    return [Box(b.x, b.y, b.w, height, b.lines, b.css) for b in boxes], height


def layout(flow: ConsortFlow) -> Diagram:
    k = len(flow.arms)
    span = k * COLUMN + (k - 1) * GAP
    cx = MARGIN + max(span, MAIN) / 2
    width = max(2 * MARGIN + span, cx + MAIN / 2 + GAP + SIDE + MARGIN)
    boxes, arrows = [], []
    y = MARGIN
    scope = _("Sites: %(sites)s") % {"sites": ", ".join(flow.site_codes) or "—"}
    assessed = _box(
        cx - MAIN / 2, y, MAIN, [(_n(_("Assessed for eligibility"), flow.assessed), True, 0), (scope, False, 0)]
    )
    boxes.append(assessed)
    y += assessed.h + ROW_GAP
    excluded = _box(cx + MAIN / 2 + GAP, y, SIDE, _exclusion_content(flow), "side")
    boxes.append(excluded)
    branch = y + min(excluded.h / 2, 20)
    y += excluded.h + ROW_GAP
    arrows.append(Arrow(cx, assessed.y + assessed.h, cx, y))
    arrows.append(Arrow(cx, branch, excluded.x, branch))
    title = _("Randomised") if flow.randomised_design else _("Enrolled")
    content = [(_n(title, flow.included), True, 0)]
    if flow.randomised_design and not flow.arms_visible:
        content.append((_("Randomisation numbers used: %(n)s") % {"n": flow.included}, False, 0))
    if flow.not_allocated:
        content.append((_n(_("No arm assigned yet"), flow.not_allocated), False, 0))
    included = _box(cx - MAIN / 2, y, MAIN, content)
    boxes.append(included)
    y += included.h + ROW_GAP
    xs = [cx - span / 2 + i * (COLUMN + GAP) for i in range(k)]
    centres = [x + COLUMN / 2 for x in xs]
    bar = y - ROW_GAP / 2
    arrows.append(Arrow(cx, included.y + included.h, cx, bar, head=False))
    arrows.append(Arrow(min(centres + [cx]), bar, max(centres + [cx]), bar, head=False))
    rows = [
        [_allocation_content(flow, arm) for arm in flow.arms],
        [_follow_up_content(arm) for arm in flow.arms],
        [_analysis_content(flow, arm) for arm in flow.arms],
    ]
    previous = None
    for contents in rows:
        row, height = _row(y, xs, contents)
        boxes += row
        for centre, box in zip(centres, row, strict=True):
            arrows.append(Arrow(centre, previous if previous is not None else bar, centre, box.y))
        previous = y + height
        y += height + ROW_GAP
    return Diagram(width=width, height=y - ROW_GAP + MARGIN, boxes=tuple(boxes), arrows=tuple(arrows))
