"""Bilingual text in templates, read by ``core.i18n`` like everywhere else.

``{{ visit|localized:"label" }}``: a model's pair of fields (``label``/``label_zh``) in the viewer's language.
``{% bilingual item.label %}``: an object with ``.en``/``.zh`` or a dict ``{"en", "zh"}`` in the viewer's language.
"""

from django import template

from core.i18n import field_text, text_for

register = template.Library()


@register.filter
def localized(obj, field: str) -> str:
    return field_text(obj, field)


@register.simple_tag
def bilingual(value) -> str:
    return text_for(value)
