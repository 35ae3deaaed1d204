"""Bilingual fields in templates: ``{{ visit|localized:"label" }}`` shows label_zh in Chinese when it is set."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def localized(obj, field: str) -> str:
    if (get_language() or "").startswith("zh"):
        chinese = getattr(obj, f"{field}_zh", "")
        if chinese:
            return chinese
    return getattr(obj, field, "")
