from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LogoutView
from django.urls import include, path
from django.views.i18n import set_language
from two_factor.urls import urlpatterns as two_factor_urls

from accounts.urls import urlpatterns as account_urls

from . import member_views, views

# A server error while the database is unreachable answers the 503 maintenance page (core.views.server_error).
handler500 = "core.views.server_error"

# The password pages (lbpb/views.py: they save through an audited service, above accounts) join the account page
# in the accounts namespace. Django's views mark the reset pages login_not_required; so do ours.
password_urls = [
    path("password/change/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password/change/done/", views.PasswordChangeDoneView.as_view(), name="password-change-done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("password/reset/complete/", views.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
]

# The study's members page (lbpb/member_views.py), also in the accounts namespace; the invitation link is public.
member_urls = [
    path("studies/<slug:study_code>/members/", member_views.member_list, name="member-list"),
    path("studies/<slug:study_code>/members/invite/", member_views.member_invite, name="member-invite"),
    path("studies/<slug:study_code>/members/<int:member_id>/", member_views.member_edit, name="member-edit"),
    path(
        "studies/<slug:study_code>/members/<int:member_id>/withdraw/",
        member_views.member_withdraw,
        name="member-withdraw",
    ),
    path(
        "studies/<slug:study_code>/members/<int:member_id>/deactivate/",
        member_views.member_deactivate,
        name="member-deactivate",
    ),
    path(
        "studies/<slug:study_code>/members/invitations/<int:invitation_id>/revoke/",
        member_views.invitation_revoke_page,
        name="invitation-revoke",
    ),
    path("invitation/<str:token>/", member_views.invitation_accept_page, name="invitation-accept"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("core.urls")),
    path("", include(two_factor_urls)),
    path("account/logout/", LogoutView.as_view(), name="logout"),
    # The language switcher must work on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/", include((account_urls + password_urls + member_urls, "accounts"))),
    path("studies/", include("studies.urls")),
    path("participants/", include("participants.urls")),
    path("instruments/", include("instruments.urls")),
    path("audit/", include("reports.trail.urls")),
    path("randomisation/", include("randomisation.urls")),
    path("imaging/", include("imaging.urls")),
    path("biobank/", include("biobank.urls")),
    path("safety/", include("safety.urls")),
    path("queries/", include("queries.urls")),
    path("reports/", include("reports.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("exports/", include("exports.urls")),
    path("", include("workflows.urls")),
    path("", include("api.urls")),
    path("", include("surveys.urls")),
    path("admin/", admin.site.urls),
]

# Uploaded files are never served as plain media: each app serves its files through an access-checked view.
