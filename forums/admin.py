"""Admin for forums, threads, posts, reports and the moderation log. Moderation actions go through
:mod:`forums.services`, so they are logged, notified and sent live exactly like the pages' own."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from forums import services
from forums.models import Forum, ModerationAction, Post, PostReport, Thread
from network.admin_base import ReadOnlyAdmin


def _each(modeladmin, request, queryset, fn, done: str) -> None:
    n = 0
    for obj in queryset:
        try:
            fn(obj)
        except (PermissionDenied, ValidationError, Http404) as exc:
            modeladmin.message_user(request, f"{obj}: {exc}", messages.ERROR)
        else:
            n += 1
    modeladmin.message_user(request, done % {"n": n}, messages.SUCCESS)


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "organisation",
        "working_group",
        "visibility",
        "archived_at",
        "created_at",
    ]
    list_filter = ["kind", "visibility", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug", "description", "organisation__name", "working_group__name"]
    readonly_fields = ["kind", "organisation", "working_group", "created_by", "created_at", "archived_at"]
    filter_horizontal = ["shared_groups"]
    list_select_related = ["organisation", "working_group"]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "forum",
        "author",
        "author_organisation",
        "post_count",
        "pinned",
        "locked",
        "last_activity_at",
    ]
    list_filter = ["locked", "pinned", "forum__kind", "forum"]
    search_fields = ["title", "author__email", "author__name", "forum__name"]
    readonly_fields = [
        "forum",
        "author",
        "author_organisation",
        "created_at",
        "last_activity_at",
        "post_count",
        "last_seq",
        "pinned",
        "locked",
    ]
    list_select_related = ["forum", "author", "author_organisation"]
    date_hierarchy = "last_activity_at"
    actions = ["lock", "unlock"]

    @admin.action(description=_("Lock the selected threads"), permissions=["change"])
    def lock(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda t: services.thread_moderate(person=request.user, thread=t, action="lock"),
            _("%(n)d threads locked."),
        )

    @admin.action(description=_("Unlock the selected threads"), permissions=["change"])
    def unlock(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda t: services.thread_moderate(person=request.user, thread=t, action="unlock"),
            _("%(n)d threads unlocked."),
        )


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "author",
        "author_organisation",
        "created_at",
        "edited_at",
        "hidden_by_moderator",
        "removed_at",
    ]
    list_filter = ["hidden_by_moderator", ("removed_at", admin.EmptyFieldListFilter), "thread__forum__kind"]
    search_fields = ["body", "author__email", "author__name", "thread__title"]
    readonly_fields = [
        "thread",
        "seq",
        "author",
        "author_organisation",
        "body",
        "reply_to",
        "client_id",
        "created_at",
        "edited_at",
        "removed_at",
        "removed_by",
        "hidden_by_moderator",
    ]
    exclude = ["body_html"]
    list_select_related = ["thread", "author", "author_organisation"]
    date_hierarchy = "created_at"
    actions = ["hide", "show"]

    @admin.action(description=_("Hide the selected posts"), permissions=["change"])
    def hide(self, request, queryset):
        _each(
            self,
            request,
            queryset.select_related("thread__forum"),
            lambda p: services.post_set_hidden(person=request.user, post=p, hidden=True, reason="admin"),
            _("%(n)d posts hidden."),
        )

    @admin.action(description=_("Show the selected posts again"), permissions=["change"])
    def show(self, request, queryset):
        _each(
            self,
            request,
            queryset.select_related("thread__forum"),
            lambda p: services.post_set_hidden(person=request.user, post=p, hidden=False, reason="admin"),
            _("%(n)d posts shown again."),
        )


@admin.register(PostReport)
class PostReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reporter", "created_at", "resolved_at", "outcome", "resolved_by"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter), "outcome", "post__thread__forum__kind"]
    search_fields = ["reason", "reporter__email", "post__body", "post__thread__title"]
    readonly_fields = [
        "post",
        "reporter",
        "reason",
        "created_at",
        "resolved_at",
        "resolved_by",
        "outcome",
        "resolution_note",
    ]
    list_select_related = ["post", "reporter", "resolved_by"]
    actions = ["dismiss", "hide_posts"]

    @admin.action(description=_("Dismiss the selected reports"), permissions=["change"])
    def dismiss(self, request, queryset):
        _each(
            self,
            request,
            queryset.select_related("post__thread__forum"),
            lambda r: services.report_resolve(
                person=request.user, report=r, outcome="dismissed", reason="admin"
            ),
            _("%(n)d reports resolved."),
        )

    @admin.action(description=_("Hide the reported posts"), permissions=["change"])
    def hide_posts(self, request, queryset):
        _each(
            self,
            request,
            queryset.select_related("post__thread__forum"),
            lambda r: services.report_resolve(
                person=request.user, report=r, outcome="post_hidden", reason="admin"
            ),
            _("%(n)d reports resolved."),
        )


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "forum", "thread", "post", "reason"]
    list_filter = ["action", "forum__kind", "forum"]
    search_fields = ["reason", "actor__email", "forum__name", "thread__title"]
    list_select_related = ["actor", "forum", "thread", "post"]
    date_hierarchy = "created_at"
