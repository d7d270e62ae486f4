"""Mounted under /api/v1/ (see network/api/urls.py)."""

from rest_framework.routers import SimpleRouter

from knowledge.api import views

router = SimpleRouter()
router.register("templates", views.TemplateViewSet, basename="knowledge-template")
router.register("lessons", views.LessonViewSet, basename="knowledge-lesson")
router.register("labels", views.LabelViewSet, basename="knowledge-label")
router.register("tenders", views.TenderViewSet, basename="knowledge-tender")
router.register("cpv", views.CpvViewSet, basename="knowledge-cpv")

urlpatterns = router.urls
