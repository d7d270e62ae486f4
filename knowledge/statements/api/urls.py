"""``/api/v1/statements/…`` (this module is mounted under ``/api/v1/``)."""

from django.urls import path

from knowledge.statements.api import demand, views

urlpatterns = [
    path("demand/", demand.NetworkDemandView.as_view(), name="api-demand"),
    path("demand/declarations.csv", demand.NetworkDemandCsvView.as_view(), name="api-demand-csv"),
    path("demand/declarations.json", demand.NetworkDemandJsonView.as_view(), name="api-demand-json"),
    path("statements/", views.StatementListView.as_view(), name="api-statement-list"),
    path("statements/<slug:slug>/", views.StatementDetailView.as_view(), name="api-statement-detail"),
    path("statements/<slug:slug>/open/", views.StatementOpenView.as_view(), name="api-statement-open"),
    path("statements/<slug:slug>/close/", views.StatementCloseView.as_view(), name="api-statement-close"),
    path("statements/<slug:slug>/reopen/", views.StatementReopenView.as_view(), name="api-statement-reopen"),
    path("statements/<slug:slug>/versions/", views.VersionListView.as_view(), name="api-statement-versions"),
    path(
        "statements/<slug:slug>/signatures/",
        views.SignatureListView.as_view(),
        name="api-statement-signatures",
    ),
    path(
        "statements/<slug:slug>/signatures/<slug:organisation_slug>/withdraw/",
        views.SignatureWithdrawView.as_view(),
        name="api-statement-withdraw",
    ),
    path(
        "statements/<slug:slug>/signatures/<slug:organisation_slug>/amend/",
        views.SignatureAmendView.as_view(),
        name="api-statement-amend",
    ),
    path(
        "statements/<slug:slug>/signatories.csv", views.SignatoriesCsvView.as_view(), name="api-statement-csv"
    ),
    path(
        "statements/<slug:slug>/signatories.json",
        views.SignatoriesJsonView.as_view(),
        name="api-statement-json",
    ),
    path("statements/<slug:slug>/audit/", views.AuditListView.as_view(), name="api-statement-audit"),
    path("statements/<slug:slug>/demand/", views.DemandView.as_view(), name="api-statement-demand"),
]
