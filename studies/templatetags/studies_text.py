"""Bilingual fields in templates: ``{{ visit|localized:"label" }}`` shows the Chinese text in Chinese when it is set.

Works on rows (``label`` and ``label_zh`` columns) and on the parsed protocol (``label`` is a ``Text``).
"""

from django import template
from django.utils.translation import get_language

from studies.protocol.schema import Text

register = template.Library()


@register.filter
def localized(obj, field: str) -> str:
    chinese = (get_language() or "").startswith("zh")
    value = getattr(obj, field, "")
    if isinstance(value, Text):
        return value.zh if chinese and value.zh else value.en
    if chinese:
        zh = getattr(obj, f"{field}_zh", "")
        if zh:
            return zh
    return "" if value is None else value
