"""Navigation by role: a user sees links only for what their memberships allow."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.selectors import memberships_for_user

# Roles that work with participant records day to day.
PARTICIPANT_ROLES = {Role.ADMIN, Role.DATA_MANAGER, Role.PI, Role.COORDINATOR, Role.MONITOR}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [{"label": _("Home"), "url": reverse("core:home")}]
    for membership in memberships_for_user(user):
        study = membership.study
        if membership.role in PARTICIPANT_ROLES:
            items.append(
                {
                    "label": _("%(study)s participants") % {"study": study},
                    "url": reverse("participants:participant-list", args=[study.code]),
                }
            )
        items.append({"label": _("%(study)s overview") % {"study": study},
                      "url": reverse("studies:study-detail", args=[study.code])})
    if user.is_staff:
        items.append({"label": _("Administration"), "url": reverse("admin:index")})
    return {"nav_items": items}
