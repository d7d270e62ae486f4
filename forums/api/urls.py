"""``/api/v1/forums/``, ``threads/``, ``posts/``."""

from rest_framework.routers import SimpleRouter

from forums.api import views

router = SimpleRouter()
router.register("forums", views.ForumViewSet, basename="forum")
router.register("threads", views.ThreadViewSet, basename="thread")
router.register("posts", views.PostViewSet, basename="post")
router.register("moderation/reports", views.ReportViewSet, basename="moderation-report")
router.register("moderation/log", views.ModerationLogViewSet, basename="moderation-log")

urlpatterns = router.urls
