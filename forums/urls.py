"""Forum pages under ``/forums/``."""

from django.urls import path

from forums import views

app_name = "forums"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.forum_new, name="forum_new"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/reports/<int:pk>/resolve/", views.report_resolve, name="report_resolve"),
    path("t/<int:pk>/", views.thread_detail, name="thread"),
    path("t/<int:pk>/reply/", views.thread_reply, name="reply"),
    path("t/<int:pk>/moderate/", views.thread_moderate, name="moderate"),
    path("p/<int:pk>/", views.post_fragment, name="post_fragment"),
    path("p/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("p/<int:pk>/remove/", views.post_remove, name="post_remove"),
    path("p/<int:pk>/react/", views.post_react, name="post_react"),
    path("p/<int:pk>/hide/", views.post_hide, name="post_hide"),
    path("p/<int:pk>/report/", views.post_report, name="post_report"),
    path("<slug:slug>/", views.forum_detail, name="forum"),
    path("<slug:slug>/new/", views.thread_new, name="thread_new"),
    path("<slug:slug>/manage/", views.forum_manage, name="forum_manage"),
]
