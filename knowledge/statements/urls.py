"""HTML pages for joint statements, mounted at ``/statements/``."""

from django.urls import path, re_path

from knowledge.statements import feeds, views

app_name = "statements"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("feed.atom", feeds.StatementsFeed(), name="feed"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/sign/", views.sign, name="sign"),
    path("<slug:slug>/withdraw/", views.withdraw, name="withdraw"),
    path("<slug:slug>/amend/", views.amend, name="amend"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    re_path(r"^(?P<slug>[-\w]+)/(?P<action>open|close|reopen)/$", views.transition, name="transition"),
]
