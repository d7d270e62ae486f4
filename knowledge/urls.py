"""HTML routes of the library, mounted at /library/."""

from django.urls import path

from knowledge import feeds, views

app_name = "knowledge"

urlpatterns = [
    path("", views.library, name="library"),
    path("templates/new/", views.template_create, name="template-create"),
    path("templates/<int:pk>/", views.template_detail, name="template"),
    path("templates/<int:pk>/edit/", views.template_edit, name="template-edit"),
    path("templates/<int:pk>/publish/", views.template_publish, name="template-publish"),
    path("templates/<int:pk>/fork/", views.template_fork, name="template-fork"),
    path("templates/<int:pk>/diff/", views.template_diff, name="template-diff"),
    path("templates/<int:pk>/origin-diff/", views.template_origin_diff, name="template-origin-diff"),
    path("templates/<int:pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("templates/<int:pk>/attachments/<int:attachment>/", views.attachment_download, name="attachment"),
    path(
        "templates/<int:pk>/attachments/<int:attachment>/delete/",
        views.attachment_delete,
        name="attachment-delete",
    ),
    path("lessons/new/", views.lesson_create, name="lesson-create"),
    path("lessons/<int:pk>/", views.lesson_detail, name="lesson"),
    path("lessons/<int:pk>/edit/", views.lesson_edit, name="lesson-edit"),
    path("tenders/new/", views.tender_create, name="tender-create"),
    path("tenders/ocds.json", views.tenders_ocds, name="tenders-ocds"),
    path("tenders/feed.atom", feeds.TendersFeed(), name="tenders-feed"),
    path("tenders/calendar.ics", feeds.tenders_ics, name="tenders-ics"),
    path("tenders/<int:pk>/", views.tender_detail, name="tender"),
    path("tenders/<int:pk>/edit/", views.tender_edit, name="tender-edit"),
    path("tenders/<int:pk>/ocds.json", views.tender_ocds, name="tender-ocds"),
]
