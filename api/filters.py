"""Query parameters of the v1 lists: each view names its filters; anything else is a 400 naming the allowed
ones (a misspelt filter would otherwise return everything)."""

from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

from core.validation import QUERY_VALUE_MAX, FiltersRefused, filter_lookups

PAGING = ("page", "page_size", "format")
ID_MAX = 10**18 - 1  # ids are checked as at most 18 digits; the schema says so, so a schema-valid call is accepted
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
# What core.validation.query_value_problems lets through, said in the schema.
TEXT_SCHEMA = {
    "type": "string",
    "maxLength": QUERY_VALUE_MAX,
    "pattern": "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$",
}


def checked_filters(params, allowed: dict[str, str]) -> dict[str, str]:
    """``{lookup: value}`` for the given filters of ``allowed`` (parameter -> lookup); a 400 for an unknown one."""
    try:
        return filter_lookups(params, allowed, PAGING)
    except FiltersRefused as refused:
        raise ValidationError(refused.problems) from None


class DeclaredFilters(BaseFilterBackend):
    """The view's ``filters`` (parameter -> lookup) applied, an unknown parameter refused, and the same parameters
    described in the OpenAPI schema (ids as integers)."""

    def filter_queryset(self, request, queryset, view):
        return queryset.filter(**checked_filters(request.query_params, view.filters))

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": name,
                "required": False,
                "in": "query",
                "schema": ID_SCHEMA if lookup.endswith("_id") else TEXT_SCHEMA,
            }
            for name, lookup in view.filters.items()
        ]
