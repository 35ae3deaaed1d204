from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _

from core.admin import ReadOnlyAdmin

from .forms import ProtocolUploadForm
from .models import Activity, Anchor, Arm, Criterion, ProtocolVersion, Site, Study, VisitDefinition
from .protocol import ProtocolError
from .services import protocol_load


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


class ArmInline(admin.TabularInline):
    model = Arm
    extra = 0


class AnchorInline(admin.TabularInline):
    model = Anchor
    extra = 0


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "design", "blinding", "target_enrolment", "protocol_version", "is_active"]
    inlines = [SiteInline, ArmInline, AnchorInline]
    change_list_template = "admin/studies/study/change_list.html"

    def get_urls(self):
        upload = self.admin_site.admin_view(self.protocol_upload_view)
        return [path("protocol-upload/", upload, name="studies_study_protocol_upload"), *super().get_urls()]

    def protocol_upload_view(self, request):
        """Load a protocol file for any study, new ones included: the same service as the page and command."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = ProtocolUploadForm(request.POST or None, request.FILES or None)
        problems = ()
        if request.method == "POST" and form.is_valid():
            try:
                result = protocol_load(
                    text=form.cleaned_data["text"], filename=form.cleaned_data["file"].name, user=request.user
                )
            except ProtocolError as exc:
                problems = exc.problems
            else:
                self.message_user(
                    request,
                    _("%(study)s: %(status)s (version %(version)s), %(count)d change(s).")
                    % {
                        "study": result.study,
                        "status": result.status,
                        "version": result.version.version,
                        "count": len(result.changes),
                    },
                    messages.SUCCESS,
                )
                return redirect("admin:studies_protocolversion_change", result.version.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "problems": problems,
            "title": _("Load a protocol file"),
        }
        return TemplateResponse(request, "admin/studies/study/protocol_upload.html", context)


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    fields = ["order", "kind", "code", "key", "version", "respondent", "arms", "is_active"]


@admin.register(VisitDefinition)
class VisitDefinitionAdmin(admin.ModelAdmin):
    list_display = ["study", "code", "label", "anchor", "offset_days", "window_before", "window_after", "is_active"]
    list_filter = ["study", "is_active"]
    inlines = [ActivityInline]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["study", "code", "kind", "text", "is_active"]
    list_filter = ["study", "kind", "is_active"]


@admin.register(ProtocolVersion)
class ProtocolVersionAdmin(ReadOnlyAdmin):
    """Read-only: a loaded version is a record; new versions come only through the upload."""

    list_display = ["study", "version", "version_date", "filename", "is_current", "loaded_at", "loaded_by"]
    list_filter = ["study", "is_current"]
    readonly_fields = [
        "study",
        "version",
        "version_date",
        "filename",
        "checksum",
        "changes",
        "is_current",
        "loaded_at",
        "loaded_by",
        "text",
    ]
