"""The form page's Verify block ({% sdv_verify response %}): one include, so the CRF template carries one line."""

from django import template

from ..views import verify_block

register = template.Library()


@register.inclusion_tag("monitoring/_verify_block.html", takes_context=True)
def sdv_verify(context, response):
    """Nothing for a form not saved yet; otherwise its SDV state and, for a monitor, Verify (or the fields)."""
    if response is None:
        return {"sdv_response": None}
    return {**verify_block(context["request"].user, response), "csrf_token": context.get("csrf_token")}
