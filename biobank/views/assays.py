"""Assay-result import page: upload the lab's CSV; every problem is listed with its line and nothing is applied."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.capabilities import Action, require
from studies.access import study_for_user

from .. import selectors
from ..forms import AssayImportForm
from ..models import AssayResult
from ..services.assays import assays_import


def assay_import(request, study_code: str):
    study = study_for_user(request.user, study_code)
    require(request.user, study, Action.ENTER_DATA)
    form = AssayImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            count = assays_import(
                user=request.user, study=study, text=form.text(), specimens=selectors.specimens_for_user(request.user)
            )
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, _("%(count)s results imported.") % {"count": count})
            return redirect("biobank:assay-import", study.code)
    stored = AssayResult.objects.filter(specimen__in=selectors.specimens_for_user(request.user).filter(study=study))
    context = {"study": study, "form": form, "problems": problems, "stored": stored.count()}
    return render(request, "biobank/assay_import.html", context)
