"""Navigation by role: a user sees links only for what their memberships allow (accounts.capabilities)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.capabilities import Action, can_on_server, role_may
from accounts.selectors import memberships_for_user


def _link(label: str, name: str, *args) -> dict:
    return {"label": label, "url": reverse(name, args=args)}


# (the action a role needs, label, URL name, whether the URL takes the study code), in menu order.
_STUDY_LINKS = (
    (Action.VIEW_STUDY, gettext_lazy("Overview"), "studies:study-detail", True),
    (Action.VIEW_STUDY, gettext_lazy("Safety"), "safety:study-overview", True),
    (Action.VIEW_STUDY, gettext_lazy("CONSORT flow"), "reports:consort-detail", True),
    (Action.VIEW_PARTICIPANTS, gettext_lazy("Participants"), "participants:participant-list", True),
    (Action.VIEW_STATUS_GRID, gettext_lazy("Record status"), "reports:status-grid", True),
    (Action.VIEW_DASHBOARD, gettext_lazy("Study dashboard"), "reports:study-dashboard", True),
    (Action.VIEW_DASHBOARD, gettext_lazy("Outcomes"), "reports:study-outcomes", True),
    (Action.VIEW_PARTICIPANTS, gettext_lazy("Due this week"), "participants:visit-due", False),
    (Action.VIEW_PARTICIPANTS, gettext_lazy("Acquisitions"), "imaging:job-list", True),
    (Action.VIEW_PARTICIPANTS, gettext_lazy("Data queries"), "queries:query-list", True),
    (Action.ENTER_DATA, gettext_lazy("Import responses"), "workflows:response-import", True),
    (Action.LINK_FILES, gettext_lazy("Files to link"), "imaging:datafile-queue", True),
    (Action.LOAD_PROTOCOL, gettext_lazy("Protocol versions"), "studies:protocol-history", True),
    (Action.LOAD_INSTRUMENTS, gettext_lazy("Study instruments"), "workflows:study-instruments", True),
    (Action.EXPORT_MRI, gettext_lazy("Export MRI as BIDS"), "imaging:export-list", True),
    (Action.VIEW_DATA_EXPORT, gettext_lazy("Export data"), "exports:export-builder", True),
    (Action.VIEW_MONITORING, gettext_lazy("Monitoring"), "monitoring:study-dashboard", True),
    (Action.READ_STUDY_AUDIT, gettext_lazy("Audit trail"), "audit:study-events", True),
    (Action.MANAGE_MEMBERS, gettext_lazy("Members"), "accounts:member-list", True),
)
# Shown in randomised studies only.
_RANDOMISATION_LINKS = (
    (Action.GENERATE_ALLOCATION, gettext_lazy("Allocation lists"), "randomisation:list-index", True),
    (Action.READ_UNBLINDING_REPORT, gettext_lazy("Emergency unblindings"), "randomisation:unblinding-report", True),
)


def _study_links(membership) -> list[dict]:
    study = membership.study
    entries = _STUDY_LINKS + (_RANDOMISATION_LINKS if study.design == "randomised" else ())
    return [
        _link(str(label), name, *((study.code,) if with_code else ()))
        for action, label, name, with_code in entries
        if role_may(membership.role, action)
    ]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [_link(_("Home"), "home"), _link(_("Instruments"), "instruments:instrument-list")]
    for membership in memberships_for_user(user):
        items.append({"label": str(membership.study), "children": _study_links(membership)})
    if can_on_server(user, Action.CREATE_STUDY):
        items.append(_link(_("Create a study"), "workflows:study-new"))
    if user.is_staff:
        items.append(_link(_("Administration"), "admin:index"))
    return {"nav_items": items}
