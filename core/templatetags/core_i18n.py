"""Bilingual text in templates, read by ``core.i18n`` like everywhere else.

``{{ visit|localized:"label" }}``: a model's pair of fields (``label``/``label_zh``) in the viewer's language.
``{{ event.reason|pair }}``: a text the system stored as "English / 中文" in the viewer's language.
``{% bilingual item.label %}``: an object with ``.en``/``.zh`` or a dict ``{"en", "zh"}`` in the viewer's language.
"""

from django import template

from core.i18n import field_text, pair_text, text_for

register = template.Library()


@register.filter
def localized(obj, field: str) -> str:
    return field_text(obj, field)


@register.filter
def pair(text: str) -> str:
    """``{{ event.reason|pair }}``: a text stored as "English / 中文" in the viewer's language."""
    return pair_text(text)


@register.simple_tag
def bilingual(value) -> str:
    return text_for(value)
