"""API shapes of the forums. A post is always :func:`forums.payloads.post_payload`, the same dict the
sockets send, so HTTP and WebSocket clients share one post shape."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from forums import payloads
from forums.models import Forum, Post, Reaction, Thread
from network.api.fields import (
    CountField,
    IdField,
    ModelChoiceInput,
    ModelTextInput,
    SharedGroupsInput,
    SharedGroupsOutput,
)
from network.visibility import Visibility


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    organisation = serializers.CharField(allow_null=True)


class ForumSerializer(serializers.ModelSerializer):
    working_group = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="Null unless a group's forum."
    )
    organisation = serializers.CharField(
        source="organisation.name",
        read_only=True,
        default=None,
        allow_null=True,
        help_text="Null for the network forum.",
    )
    organisation_slug = serializers.CharField(
        source="organisation.slug", read_only=True, default=None, allow_null=True
    )
    shared_groups = SharedGroupsOutput()
    thread_count = serializers.IntegerField(read_only=True)
    unread_threads = serializers.IntegerField(
        read_only=True, help_text="Threads with posts the person has not read."
    )
    archived = serializers.SerializerMethodField()

    @extend_schema_field(serializers.BooleanField())
    def get_archived(self, forum: Forum) -> bool:
        return forum.is_archived

    class Meta:
        model = Forum
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "kind",
            "visibility",
            "working_group",
            "organisation",
            "organisation_slug",
            "shared_groups",
            "archived",
            "archived_at",
            "thread_count",
            "unread_threads",
        ]


class ForumWriteSerializer(serializers.Serializer):
    """Create an organisation's own forum (:class:`ForumUpdateSerializer` changes it)."""

    organisation = serializers.SlugField(help_text="Slug of the organisation that owns it.")
    name = ModelTextInput(Forum, "name")
    description = ModelTextInput(Forum, "description")
    visibility = ModelChoiceInput(
        choices=Visibility.choices,
        required=False,
        help_text="Private by default; ``group`` shares it with ``shared_groups``.",
    )
    shared_groups = SharedGroupsInput()


class ForumUpdateSerializer(ForumWriteSerializer):
    """Rename, describe or re-share a forum: the organisation that owns it is set on create, and a
    forum never moves (read-only here, so a PATCH's ``organisation`` changes nothing)."""

    organisation = serializers.SlugField(read_only=True)


class ForumArchiveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ModerationPostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    seq = serializers.IntegerField()
    thread = serializers.IntegerField(source="thread_id")
    thread_title = serializers.CharField(source="thread.title")
    forum = serializers.CharField(source="thread.forum.slug")
    author = serializers.CharField(source="author.display_name", default=None)
    body = serializers.CharField()
    hidden = serializers.BooleanField(source="hidden_by_moderator")
    removed = serializers.BooleanField(source="is_removed")


class ModerationReportSerializer(serializers.Serializer):
    """A report as its moderators see it: the post in context, the reporter, the outcome."""

    id = serializers.IntegerField()
    post = ModerationPostSerializer()
    reporter = serializers.CharField(source="reporter.display_name")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    open = serializers.BooleanField(source="is_open")
    outcome = serializers.CharField()
    resolution_note = serializers.CharField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolved_by = serializers.CharField(source="resolved_by.display_name", default=None)


class ReportResolveSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["dismissed", "post_hidden", "thread_locked"])
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ModerationActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    forum = serializers.CharField(source="forum.slug")
    thread = serializers.IntegerField(source="thread_id", allow_null=True)
    post = serializers.IntegerField(source="post_id", allow_null=True)
    report = serializers.IntegerField(source="report_id", allow_null=True)
    actor = serializers.CharField(source="actor.display_name", default=None)
    action = serializers.CharField()
    action_display = serializers.CharField(source="get_action_display")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class ThreadSerializer(serializers.ModelSerializer):
    forum_slug = serializers.CharField(source="forum.slug", read_only=True)
    author = serializers.SerializerMethodField()
    author_organisation = serializers.CharField(
        source="author_organisation.name", read_only=True, default=None
    )
    unread = serializers.IntegerField(read_only=True, help_text="Posts after the person's read watermark.")
    last_read_seq = serializers.IntegerField(read_only=True)
    subscribed = serializers.SerializerMethodField()

    class Meta:
        model = Thread
        fields = [
            "id",
            "forum",
            "forum_slug",
            "title",
            "author",
            "author_organisation",
            "pinned",
            "locked",
            "created_at",
            "last_activity_at",
            "post_count",
            "last_seq",
            "unread",
            "last_read_seq",
            "subscribed",
        ]
        read_only_fields = fields

    @extend_schema_field(AuthorSerializer)
    def get_author(self, obj: Thread) -> dict[str, Any]:
        return {
            "id": obj.author_id,
            "name": obj.author.display_name if obj.author else "",
            "organisation": None,
        }

    def get_subscribed(self, obj: Thread) -> bool:
        return bool(getattr(obj, "subscribed", 0))


class ThreadCreateSerializer(serializers.Serializer):
    forum = IdField(help_text="Id of a forum you can post in.")
    title = ModelTextInput(Thread, "title")
    body = ModelTextInput(Post, "body", help_text="Markdown.")
    client_id = serializers.CharField(
        required=False, allow_blank=True, help_text="Makes a retried request idempotent."
    )


class PostSerializer(serializers.Serializer):
    """Read shape of a post (removed and hidden posts keep their ``seq`` but carry no text)."""

    id = serializers.IntegerField()
    thread = serializers.IntegerField()
    seq = serializers.IntegerField()
    author = AuthorSerializer()
    body = serializers.CharField()
    body_html = serializers.CharField()
    reply_to = serializers.IntegerField(allow_null=True)
    reply_to_seq = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    removed = serializers.BooleanField()
    hidden = serializers.BooleanField()
    reactions = serializers.DictField(child=serializers.IntegerField())

    def to_representation(self, instance: Post) -> dict[str, Any]:
        counts = (self.context.get("reactions") or {}).get(instance.pk)
        return dict(payloads.post_payload(instance, counts))


class PostPageSerializer(serializers.Serializer):
    results = PostSerializer(many=True)
    next_after = serializers.IntegerField(
        allow_null=True, help_text="Pass as ``after`` for the next page; null at the end."
    )
    last_seq = serializers.IntegerField()


class PostCreateSerializer(serializers.Serializer):
    body = ModelTextInput(Post, "body", help_text="Markdown.")
    reply_to = IdField(required=False, allow_null=True, help_text="Id of a post in the thread.")
    client_id = serializers.CharField(
        required=False, allow_blank=True, help_text="A retry with the same id is stored once."
    )


class PostEditSerializer(serializers.Serializer):
    """PATCH: the new text; nothing sent changes nothing (the author's checks still apply)."""

    body = ModelTextInput(Post, "body", help_text="Markdown.")


class ReactionSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Reaction.Code.choices)


class ReactionResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    reacted = serializers.BooleanField()
    reactions = serializers.DictField(child=serializers.IntegerField())


class ReadSerializer(serializers.Serializer):
    seq = CountField(required=False, help_text="Defaults to the newest post.")


class ReadResultSerializer(serializers.Serializer):
    last_read_seq = serializers.IntegerField()


class ReportSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ReportResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    post = serializers.IntegerField(source="post_id")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
