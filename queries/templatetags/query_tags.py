"""``{% open_query_counts study %}``: unresolved queries per site the user may see (for dashboards)."""

from django import template

from queries import selectors

register = template.Library()


@register.inclusion_tag("queries/_open_query_counts.html", takes_context=True)
def open_query_counts(context, study):
    user = context["request"].user
    return {"study": study, "site_counts": selectors.open_counts(user, study=study), "request": context["request"]}
