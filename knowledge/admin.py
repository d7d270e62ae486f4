"""Admin for tender templates, lessons and planned tenders: staff find, filter and correct them
(e.g. take down a template published by mistake); owners edit through the pages and the API."""

from __future__ import annotations

from django.contrib import admin

from knowledge.models import Lesson, PlannedTender, TenderTemplate


@admin.register(TenderTemplate)
class TenderTemplateAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "organisation",
        "status",
        "visibility",
        "language",
        "version_count",
        "updated_at",
    ]
    list_filter = ["status", "visibility", "language", "procedure", "licence"]
    search_fields = ["title", "summary", "organisation__name", "slug"]
    readonly_fields = [
        "organisation",
        "created_by",
        "created_at",
        "updated_at",
        "version_count",
        "forked_from",
    ]
    autocomplete_fields = []
    filter_horizontal = ["shared_groups"]
    list_select_related = ["organisation"]
    date_hierarchy = "updated_at"
    exclude = ["cpv_codes"]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "visibility", "language", "updated_at"]
    list_filter = ["visibility", "language"]
    search_fields = ["title", "context", "approach", "organisation__name"]
    readonly_fields = ["organisation", "created_by", "created_at", "updated_at"]
    filter_horizontal = ["shared_groups"]
    list_select_related = ["organisation"]
    date_hierarchy = "updated_at"
    exclude = ["related_templates", "related_tenders"]


@admin.register(PlannedTender)
class PlannedTenderAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "organisation",
        "status",
        "planned_year",
        "planned_quarter",
        "visibility",
        "joint_procurement_open",
    ]
    list_filter = ["status", "visibility", "planned_year", "joint_procurement_open", "procedure"]
    search_fields = ["title", "description", "organisation__name"]
    readonly_fields = ["organisation", "created_by", "created_at", "updated_at"]
    filter_horizontal = ["shared_groups"]
    list_select_related = ["organisation"]
    exclude = ["cpv_codes", "templates"]
