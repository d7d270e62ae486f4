"""HTML pages of members (mounted at /)."""

from django.urls import path

from members import views
from members.privacy import views as privacy_views
from members.sso import views as sso_views

app_name = "members"

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<slug:slug>/sso/", sso_views.identity_provider_settings, name="identity_provider"),
    path("organisations/<slug:slug>/members/", views.organisation_manage, name="organisation_manage"),
    path("organisations/<slug:slug>/members/<int:pk>/role/", views.membership_role, name="membership_role"),
    path(
        "organisations/<slug:slug>/members/<int:pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path(
        "organisations/<slug:slug>/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:key>/", views.invitation_accept, name="invitation"),
    path("working-groups/", views.working_group_list, name="working_groups"),
    path("working-groups/new/", views.working_group_create, name="working_group_create"),
    path("working-groups/<slug:slug>/", views.working_group_detail, name="working_group"),
    path("working-groups/<slug:slug>/join/", views.working_group_join, name="working_group_join"),
    path(
        "working-groups/<slug:slug>/requests/<slug:organisation>/<str:decision>/",
        views.working_group_decide,
        name="working_group_decide",
    ),
    path("account/profile/", views.profile, name="profile"),
    path("account/data/", privacy_views.my_data, name="my_data"),
    path("account/data/exports/<int:pk>/download/", privacy_views.export_download, name="export_download"),
    path("account/delete/", privacy_views.delete_account, name="delete_account"),
    path("privacy/", privacy_views.privacy_notice, name="privacy"),
    path("staff/verification/", views.staff_verification, name="staff_verification"),
    path("staff/verification/<slug:slug>/", views.staff_verify, name="staff_verify"),
]
