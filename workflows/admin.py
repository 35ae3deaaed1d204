"""The Django admin's Study page lives here, not in studies/admin.py, because its protocol upload is a
workflow (load the file, then re-project participants' visits): the same one as the page and the command.

The study and its sites are read-only here: a study's values (blinding included) come from its protocol file,
so they change only through that upload, which is audited. Loading a file needs the Django permissions to add
and change studies (an operator, a superuser, has them).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from studies.forms import ProtocolUploadForm
from studies.models import Site, Study
from studies.protocol import ProtocolError

from .services import protocol_apply


class SiteInline(ReadOnlyInline, admin.TabularInline):
    model = Site
    extra = 0


@admin.register(Study)
class StudyAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "design", "blinding", "target_enrolment", "protocol_version", "is_active"]
    inlines = [SiteInline]
    change_list_template = "admin/studies/study/change_list.html"

    def get_urls(self):
        upload = self.admin_site.admin_view(self.protocol_upload_view)
        return [path("protocol-upload/", upload, name="studies_study_protocol_upload"), *super().get_urls()]

    def protocol_upload_view(self, request):
        """Load a protocol file for any study, new ones included: the same service as the page and command."""
        if not request.user.has_perms(["studies.add_study", "studies.change_study"]):
            raise PermissionDenied
        form = ProtocolUploadForm(request.POST or None, request.FILES or None)
        problems = ()
        if request.method == "POST" and form.is_valid():
            try:
                result = protocol_apply(
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
