"""``ReadOnlyAdmin``: the one base class for an admin page that shows rows and never writes them (and
``ReadOnlyInline`` for the rows it shows inline).

Rows of such models change only through their app's services (which check the rules and write the audit
trail), so the admin may neither add, change nor delete them. Each admin still says what it lists and which
fields it shows (``list_display``, ``readonly_fields``...). Only Django here: every app may use it.

The Django admin lets a query string filter a change list on any field of the model
(``?arm_code__exact=placebo``), not just on the filters the page offers: the count of the rows it answers
would tell a blinded viewer the arms. ``ReadOnlyAdmin`` therefore accepts only the lookups of its own
``list_filter`` and ``date_hierarchy``; any other is refused (a 400, the same for every value).
"""

from django.contrib import admin
from django.db.models.constants import LOOKUP_SEP


def offered_lookups(model_admin, request) -> set[str]:
    """The first field names of the lookups a change list offers (its filters and its date hierarchy)."""
    names = set()
    for item in model_admin.get_list_filter(request):
        if isinstance(item, str):
            names.add(item.split(LOOKUP_SEP, 1)[0])
        elif isinstance(item, (tuple, list)):
            names.add(str(item[0]).split(LOOKUP_SEP, 1)[0])
        else:  # a SimpleListFilter class: its own parameter
            names.add(item.parameter_name)
    if model_admin.date_hierarchy:
        names.add(model_admin.date_hierarchy.split(LOOKUP_SEP, 1)[0])
    return names


class OfferedLookupsOnly:
    """Mixin for a ModelAdmin: filter a change list only through the filters the page shows."""

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split(LOOKUP_SEP, 1)[0] not in offered_lookups(self, request):
            return False
        return super().lookup_allowed(lookup, value, request)  # type: ignore[misc]


class ReadOnlyAdmin(OfferedLookupsOnly, admin.ModelAdmin):
    """A ModelAdmin without add, change or delete (so without the delete action either)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline:
    """Mixin for an InlineModelAdmin: its rows are shown, never added, changed or deleted."""

    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
