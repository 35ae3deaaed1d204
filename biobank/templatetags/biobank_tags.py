"""The box grid of the box map, built in Python: a freezer of 100 full 10 × 10 boxes is 10,000 cells, and a
template loop with a ``{% url %}`` per cell takes seconds (benchmarks/biobank_boxmap.py). Every value from the
database is escaped."""

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
PLACEHOLDER = "999999999"
EMPTY = '<td class="text-muted">·</td>'


@register.simple_tag
def box_grid(box_map) -> SafeString:
    detail = reverse("biobank:specimen-detail", args=[int(PLACEHOLDER)])
    head = "".join(f"<th>{c}</th>" for c in range(1, box_map.box.cols + 1))
    body = "".join(f"<tr><th>{row}</th>{''.join(_cell(c, detail) for c in cells)}</tr>" for row, cells in box_map.rows)
    return mark_safe(  # noqa: S308 - built from escaped values only
        '<table class="table table-bordered table-sm text-center small w-auto">'
        f"<thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _cell(cell, detail: str) -> str:
    if cell is None:
        return EMPTY
    href = escape(detail.replace(PLACEHOLDER, str(cell.specimen_id)))
    return (
        f'<td class="text-bg-success" title="{escape(cell.type_code)}">'
        f'<a class="link-light" href="{href}">{escape(cell.label_id)}</a></td>'
    )
