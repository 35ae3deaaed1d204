"""``ReadOnlyAdmin``: the one base class for an admin page that shows rows and never writes them.

Rows of such models change only through their app's services (which check the rules and write the audit
trail), so the admin may neither add, change nor delete them. Each admin still says what it lists and which
fields it shows (``list_display``, ``readonly_fields``...). Only Django here: every app may use it.
"""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """A ModelAdmin without add, change or delete (so without the delete action either)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
