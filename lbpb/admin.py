"""The Django admin's user pages: the one admin page that still writes, and every write it makes is audited.

Here, not in accounts/admin.py, because the audit trail sits above accounts: saving goes through
``lbpb.services.user_update`` (one transaction with its audit row). Users are created and given study roles
by ``create_study_admin`` and ``grant_role`` (audited, path "command"), so the admin adds no user and shows
memberships read-only. Groups are not used (rights come from study roles, accounts/capabilities.py), so
they are not offered either. A password set here is recorded as changed.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User
from audit.models import AuditEvent
from core.admin import OfferedLookupsOnly, ReadOnlyInline

from .services import user_password_recorded, user_update

ADMIN_REASON = "Django admin"  # stored in the trail, with the page path, for every change made here


class MembershipInline(ReadOnlyInline, admin.TabularInline):
    """Read-only: roles are given on the study's members page or with ``manage.py grant_role`` (audited)."""

    model = Membership
    extra = 0
    fields = readonly_fields = ["study", "role", "all_sites", "site_codes", "is_active", "created_at"]
    verbose_name_plural = _("study roles (given on the study's members page or with manage.py grant_role)")

    @admin.display(description=_("sites"))
    def site_codes(self, membership):
        return ", ".join(membership.sites.values_list("code", flat=True))


admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(OfferedLookupsOnly, BaseUserAdmin):
    inlines = [MembershipInline]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "display_name", "email")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        user_update(user=obj, actor=request.user, path=AuditEvent.Path.PAGE, reason=ADMIN_REASON, request=request)

    def user_change_password(self, request, id, form_url=""):
        """Django's password page saves through the form; the same transaction then records the change."""
        with transaction.atomic():
            before = User.objects.filter(pk=unquote(id)).values_list("password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            user = User.objects.filter(pk=unquote(id)).first()
            if user is not None and before is not None and user.password != before:
                user_password_recorded(user=user, actor=request.user, reason=ADMIN_REASON, request=request)
        return response
