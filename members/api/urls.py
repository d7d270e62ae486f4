"""Mounted under /api/v1/ (see network/api/urls.py)."""

from django.urls import path

from members.api import views
from members.privacy import api as privacy_api
from members.sso import api as sso_api

urlpatterns = [
    path("me/", views.Me.as_view(), name="me"),
    path("me/data-export/", privacy_api.DataExports.as_view(), name="data-exports"),
    path(
        "me/data-export/<int:pk>/download/",
        privacy_api.DataExportDownload.as_view(),
        name="data-export-download",
    ),
    path("organisations/", views.OrganisationListCreate.as_view(), name="organisation-list"),
    path("organisations/<slug:slug>/", views.OrganisationDetail.as_view(), name="organisation-detail"),
    path("auth/sso-lookup/", sso_api.SsoLookup.as_view(), name="sso-lookup"),
    path(
        "organisations/<slug:slug>/sso/",
        sso_api.OrganisationIdentityProvider.as_view(),
        name="organisation-identity-provider",
    ),
    path("organisations/<slug:slug>/verify/", views.OrganisationVerify.as_view(), name="organisation-verify"),
    path("organisations/<slug:slug>/members/", views.MemberList.as_view(), name="organisation-members"),
    path(
        "organisations/<slug:slug>/members/<int:pk>/",
        views.MembershipDetail.as_view(),
        name="organisation-membership",
    ),
    path(
        "organisations/<slug:slug>/invitations/",
        views.InvitationListCreate.as_view(),
        name="organisation-invitations",
    ),
    path(
        "organisations/<slug:slug>/invitations/<int:pk>/revoke/",
        views.InvitationRevoke.as_view(),
        name="organisation-invitation-revoke",
    ),
    path("invitations/<str:key>/accept/", views.InvitationAccept.as_view(), name="invitation-accept"),
    path("working-groups/", views.WorkingGroupListCreate.as_view(), name="working-group-list"),
    path("working-groups/<slug:slug>/", views.WorkingGroupDetail.as_view(), name="working-group-detail"),
    path("working-groups/<slug:slug>/join/", views.WorkingGroupJoin.as_view(), name="working-group-join"),
    path(
        "working-groups/<slug:slug>/requests/",
        views.WorkingGroupRequests.as_view(),
        name="working-group-requests",
    ),
    path(
        "working-groups/<slug:slug>/requests/<slug:organisation>/approve/",
        views.WorkingGroupDecide.as_view(approve=True),
        name="working-group-approve",
    ),
    path(
        "working-groups/<slug:slug>/requests/<slug:organisation>/decline/",
        views.WorkingGroupDecide.as_view(approve=False),
        name="working-group-decline",
    ),
]
