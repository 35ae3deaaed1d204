import json

from django import template

from instruments.labels import text

register = template.Library()


@register.simple_tag
def bilingual(label):
    """A definition label in the language of the request."""
    return text(label)


@register.simple_tag
def show_if(item):
    return json.dumps(item.show_if.to_dict(), ensure_ascii=False) if item.show_if else ""
