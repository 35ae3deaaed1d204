"""Navigation by role: a user sees links only for what their memberships allow."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.selectors import memberships_for_user
from imaging.selectors import EXPORT_ROLES as MRI_EXPORT_ROLES

# Roles that work with participant records day to day.
PARTICIPANT_ROLES = {Role.ADMIN, Role.DATA_MANAGER, Role.PI, Role.COORDINATOR, Role.MONITOR}
CRF_WRITE_ROLES = {Role.ADMIN, Role.DATA_MANAGER, Role.PI, Role.COORDINATOR}
MONITORING_ROLES = {Role.ADMIN, Role.DATA_MANAGER, Role.PI, Role.MONITOR}
AUDIT_ROLES = {Role.ADMIN, Role.DATA_MANAGER, Role.MONITOR}
PROTOCOL_ROLES = {Role.ADMIN, Role.DATA_MANAGER}
LIST_ROLES = {Role.ADMIN, Role.UNBLINDED_STATISTICIAN}
UNBLINDING_REPORT_ROLES = {Role.ADMIN, Role.DATA_MANAGER, Role.UNBLINDED_STATISTICIAN}


def _link(label: str, name: str, *args) -> dict:
    return {"label": label, "url": reverse(name, args=args)}


def _study_links(membership) -> list[dict]:
    study, role = membership.study, membership.role
    code = study.code
    links = [
        _link(_("Overview"), "studies:study-detail", code),
        _link(_("Safety"), "safety:study-overview", code),
        _link(_("CONSORT flow"), "reports:consort-detail", code),
    ]
    if role in PARTICIPANT_ROLES:
        links += [
            _link(_("Participants"), "participants:participant-list", code),
            _link(_("Due this week"), "participants:visit-due"),
            _link(_("Acquisitions"), "imaging:job-list", code),
            _link(_("Data queries"), "queries:query-list", code),
        ]
    if role in CRF_WRITE_ROLES:
        links.append(_link(_("Import responses"), "instruments:response-import", code))
    if role in PROTOCOL_ROLES:
        links.append(_link(_("Files to link"), "imaging:datafile-queue", code))
        links.append(_link(_("Protocol versions"), "studies:protocol-history", code))
    if role in MRI_EXPORT_ROLES:
        links.append(_link(_("Export MRI as BIDS"), "imaging:export-list", code))
    if role in MONITORING_ROLES:
        links.append(_link(_("Monitoring"), "monitoring:study-dashboard", code))
    if role in AUDIT_ROLES:
        links.append(_link(_("Audit trail"), "audit:study-events", code))
    if study.design == "randomised":
        if role in LIST_ROLES:
            links.append(_link(_("Allocation lists"), "randomisation:list-index", code))
        if role in UNBLINDING_REPORT_ROLES:
            links.append(_link(_("Emergency unblindings"), "randomisation:unblinding-report", code))
    return links


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [_link(_("Home"), "core:home"), _link(_("Instruments"), "instruments:instrument-list")]
    for membership in memberships_for_user(user):
        items.append({"label": str(membership.study), "children": _study_links(membership)})
    if user.is_staff:
        items.append(_link(_("Administration"), "admin:index"))
    return {"nav_items": items}
