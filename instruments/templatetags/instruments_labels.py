import json

from django import template

register = template.Library()


@register.simple_tag
def show_if(item):
    return json.dumps(item.show_if.to_dict(), ensure_ascii=False) if item.show_if else ""
