"""Forums API. Views parse input, call :mod:`forums.selectors` / :mod:`forums.services`, and
format output; every rule lives in the services. Another organisation's private forum, thread or
post answers 404, exactly like a missing one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.response import Response

from forums import payloads, selectors, services
from forums.api import serializers as s
from forums.models import Forum, Post, Thread
from members.selectors import organisations_nameable
from network import validation
from network.api.errors import Conflict
from network.api.fields import INT32_MAX

MAX_PAGE = 200


def call(fn: Callable[..., Any], **kwargs: Any) -> Any:
    """Run a service; a locked thread is a state conflict (409) with the service's message."""
    try:
        return fn(**kwargs)
    except services.ThreadLocked as exc:
        raise Conflict(str(exc)) from exc
    except services.TooManyReports as exc:
        raise Throttled(detail=str(exc)) from exc


class ForumFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Forum.Kind.choices)
    working_group = django_filters.CharFilter(
        field_name="working_group__slug", help_text="Working group slug."
    )

    class Meta:
        model = Forum
        fields = ["kind", "working_group"]


class ForumViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Forums you can read, with thread and unread-thread counts. Owners and admins of an
    organisation create its forums (private by default) and rename, re-share and archive them."""

    serializer_class = s.ForumSerializer
    filterset_class = ForumFilter
    lookup_value_regex = "[0-9]+"
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.forums_for(self.request.user).order_by("kind", "name")

    def _out(self, forum: Forum, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=forum.pk)
        return Response(s.ForumSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=s.ForumWriteSerializer, responses={201: s.ForumSerializer})
    def create(self, request: Request) -> Response:
        """Open a forum for your organisation (``organisation`` is its slug). Private unless
        ``visibility`` says otherwise; ``group`` shares it with ``shared_groups``."""

        data = s.ForumWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        organisation = organisations_nameable(request.user).filter(slug=values["organisation"]).first()
        if organisation is None:
            # a reference the caller cannot find, hidden or missing alike: state (409)
            raise validation.conflict({"organisation": "No organisation with this slug."})
        changes = {**values, "shared_groups": values.get("shared_groups")}
        forum = services.organisation_forum_create(
            actor=request.user, organisation=organisation, data=services.ForumData().with_changes(changes)
        )
        return self._out(forum, status.HTTP_201_CREATED)

    @extend_schema(request=s.ForumUpdateSerializer, responses=s.ForumSerializer)
    def partial_update(self, request: Request, pk: int | None = None) -> Response:
        """Rename, describe or re-share your organisation's forum (it stays with its organisation)."""
        data = s.ForumUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        forum = self.get_object()
        changes = {**values, "shared_groups": values.get("shared_groups")}
        data = services.ForumData.of(forum).with_changes(changes)  # PATCH: what is not sent stays
        forum = services.forum_update(actor=request.user, forum=forum, data=data)
        return self._out(forum)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(methods=["POST"], request=s.ForumArchiveSerializer, responses=s.ForumSerializer)
    # reopening answers the forum too (200), not drf-spectacular's default 204 for a DELETE
    @extend_schema(methods=["DELETE"], request=s.ForumArchiveSerializer, responses={200: s.ForumSerializer})
    @action(detail=True, methods=["post", "delete"], filterset_class=None)
    def archive(self, request: Request, pk: int | None = None) -> Response:
        """Archive (POST) or reopen (DELETE) your organisation's forum: its threads stay readable,
        new threads and posts are refused (409)."""
        data = s.ForumArchiveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        forum = services.forum_archive(
            actor=request.user,
            forum=self.get_object(),
            archived=request.method == "POST",
            reason=data.validated_data.get("reason", ""),
        )
        return self._out(forum)


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The moderation queue: reports in the forums you moderate (conveners: their groups' forums;
    owners and admins: their organisation's forums; network staff: the network forum). Open reports
    by default, oldest first; ``?state=all`` for resolved ones too."""

    serializer_class = s.ModerationReportSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = "[0-9]+"
    filterset_class = None

    def get_queryset(self):
        open_only = self.request.query_params.get("state", "open") != "all"
        return selectors.reports_for(self.request.user, open_only=open_only)

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=["open", "all"], description="Open (default) or all.")
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_object(self):
        report = selectors.report_get(self.request.user, self.kwargs["pk"])
        if report is None:
            raise Http404
        return report

    @extend_schema(request=s.ReportResolveSerializer, responses=s.ModerationReportSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: int | None = None) -> Response:
        """Dismiss the report, hide the post or lock the thread, with a reason the reporter is told.
        Resolving a resolved report changes nothing."""
        data = s.ReportResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = call(
            services.report_resolve,
            person=request.user,
            report=self.get_object(),
            outcome=data.validated_data["outcome"],
            reason=data.validated_data.get("reason", ""),
        )
        return Response(s.ModerationReportSerializer(selectors.report_get(request.user, report.pk)).data)


class ModerationLogViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who did what, and why, in the forums you moderate (newest first)."""

    serializer_class = s.ModerationActionSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = None

    def get_queryset(self):
        return selectors.moderation_log_qs(self.request.user)


class ThreadFilter(django_filters.FilterSet):
    forum = django_filters.NumberFilter(field_name="forum_id")
    working_group = django_filters.CharFilter(
        field_name="forum__working_group__slug", help_text="Working group slug."
    )
    unread = django_filters.BooleanFilter(method="filter_unread", help_text="Only threads with unread posts.")
    subscribed = django_filters.BooleanFilter(
        method="filter_subscribed", help_text="Only threads you follow."
    )

    class Meta:
        model = Thread
        fields = ["forum", "working_group", "unread", "subscribed"]

    def filter_unread(self, queryset, name, value):
        return queryset.filter(unread__gt=0) if value else queryset.filter(unread=0)

    def filter_subscribed(self, queryset, name, value):
        return queryset.filter(subscribed__gt=0) if value else queryset.filter(subscribed=0)


class ThreadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Threads you can read (pinned first, then by last activity), with unread counts."""

    serializer_class = s.ThreadSerializer
    filterset_class = ThreadFilter
    lookup_value_regex = "[0-9]+"
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        return selectors.threads_for(self.request.user)

    def _thread(self) -> Thread:
        thread = selectors.thread_get(self.request.user, self.kwargs["pk"])
        if thread is None:
            raise Http404
        return thread

    def _thread_out(self, pk: int) -> dict[str, Any]:
        return s.ThreadSerializer(self.get_queryset().get(pk=pk), context=self.get_serializer_context()).data

    @extend_schema(request=s.ThreadCreateSerializer, responses={201: s.ThreadSerializer})
    def create(self, request: Request) -> Response:
        """Start a thread with its first post."""
        data = s.ThreadCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        forum = selectors.forums_for(request.user).filter(pk=data.validated_data["forum"]).first()
        if forum is None:
            raise Http404
        thread = call(
            services.thread_create,
            person=request.user,
            forum=forum,
            title=data.validated_data["title"],
            body=data.validated_data["body"],
            client_id=data.validated_data.get("client_id", ""),
        )
        return Response(self._thread_out(thread.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        parameters=[
            OpenApiParameter(
                "after",
                {"type": "integer", "minimum": 0, "maximum": INT32_MAX},
                description="Only posts with a higher sequence number.",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                description=f"At most this many (1 to {MAX_PAGE}, default 100).",
            ),
        ],
        responses=s.PostPageSerializer,
    )
    @extend_schema(methods=["POST"], request=s.PostCreateSerializer, responses={201: s.PostSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def posts(self, request: Request, pk: int | None = None) -> Response:
        """GET: posts in sequence order after ``after``. POST: add a post (``client_id`` makes a
        retry idempotent: the same post comes back with 200 instead of 201)."""
        thread = self._thread()
        if request.method == "POST":
            data = s.PostCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            post, created = call(
                services.post_create,
                person=request.user,
                thread=thread,
                body=data.validated_data["body"],
                reply_to=data.validated_data.get("reply_to"),
                client_id=data.validated_data.get("client_id", ""),
            )
            if created:
                # The post just stored, as the service built its live event (author, organisation
                # and reply loaded; nobody can have reacted yet): reading it back cost two queries.
                return Response(payloads.post_payload(post, reactions={}), status=status.HTTP_201_CREATED)
            post = selectors.posts_qs(thread).get(pk=post.pk)  # a retry: the post as stored then
            return Response(payloads.post_payload(post), status=status.HTTP_200_OK)
        after = _int_param(request, "after", 0, 0, INT32_MAX)
        limit = _int_param(request, "limit", 100, 1, MAX_PAGE)
        posts = selectors.posts_after(thread, after, limit + 1)
        more = len(posts) > limit
        posts = posts[:limit]
        return Response(
            {
                "results": payloads.posts_payload(posts),
                "next_after": posts[-1].seq if more else None,
                "last_seq": thread.last_seq,
            }
        )

    @extend_schema(request=s.ReadSerializer, responses=s.ReadResultSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def read(self, request: Request, pk: int | None = None) -> Response:
        """Mark the thread read up to ``seq`` (default: everything); the watermark never moves back."""
        data = s.ReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        last = services.thread_mark_read(
            person=request.user, thread=self._thread(), seq=data.validated_data.get("seq")
        )
        return Response({"last_read_seq": last})

    def _moderate(self, name: str) -> Response:
        thread = services.thread_moderate(person=self.request.user, thread=self._thread(), action=name)
        return Response(self._thread_out(thread.pk))

    @extend_schema(request=None, responses=s.ThreadSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def lock(self, request: Request, pk: int | None = None) -> Response:
        """Moderators: no new posts."""
        return self._moderate("lock")

    @extend_schema(request=None, responses=s.ThreadSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def unlock(self, request: Request, pk: int | None = None) -> Response:
        return self._moderate("unlock")

    @extend_schema(request=None, responses=s.ThreadSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def pin(self, request: Request, pk: int | None = None) -> Response:
        """Moderators: keep at the top of the forum."""
        return self._moderate("pin")

    @extend_schema(request=None, responses=s.ThreadSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def unpin(self, request: Request, pk: int | None = None) -> Response:
        return self._moderate("unpin")

    @extend_schema(request=None, responses=s.ThreadSerializer)
    @action(detail=True, methods=["post", "delete"], filterset_class=None)
    def subscribe(self, request: Request, pk: int | None = None) -> Response:
        """Follow (POST) or stop following (DELETE) a thread."""
        services.thread_subscribe(
            person=request.user, thread=self._thread(), subscribed=request.method == "POST"
        )
        return Response(self._thread_out(int(pk)))


def _int_param(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    from rest_framework.exceptions import ValidationError

    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw[:20])
    except ValueError:
        raise ValidationError({name: ["Give a whole number."]}) from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValidationError({name: [f"Must be {bound}."]})
    return value


class PostViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One post: read, edit (author), remove (author or moderator), react, hide, report."""

    serializer_class = s.PostSerializer
    lookup_value_regex = "[0-9]+"
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "patch", "delete", "post", "head", "options"]

    def get_queryset(self):
        return selectors.posts_visible(self.request.user)

    def _out(self, post: Post, code: int = status.HTTP_200_OK) -> Response:
        return Response(payloads.post_payload(post), status=code)

    @extend_schema(request=s.PostEditSerializer, responses=s.PostSerializer)
    def partial_update(self, request: Request, pk: int | None = None) -> Response:
        """The author edits the text."""
        data = s.PostEditSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        post = call(
            services.post_edit,
            person=request.user,
            post=self.get_object(),
            body=data.validated_data.get("body"),
        )
        return self._out(post)

    @extend_schema(responses=s.PostSerializer)
    def destroy(self, request: Request, pk: int | None = None) -> Response:
        """Soft delete: the post keeps its place and shows as removed."""
        return self._out(services.post_remove(person=request.user, post=self.get_object()))

    @extend_schema(request=s.ReactionSerializer, responses=s.ReactionResultSerializer)
    @action(detail=True, methods=["post"])
    def reactions(self, request: Request, pk: int | None = None) -> Response:
        """Toggle one of the fixed reactions."""
        data = s.ReactionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = self.get_object()
        code = data.validated_data["code"]
        reacted = call(services.reaction_toggle, person=request.user, post=post, code=code)
        return Response(
            {"code": code, "reacted": reacted, "reactions": payloads.reaction_counts([post.pk])[post.pk]}
        )

    @extend_schema(request=None, responses=s.PostSerializer)
    @action(detail=True, methods=["post", "delete"])
    def hide(self, request: Request, pk: int | None = None) -> Response:
        """Moderators hide (POST) or show again (DELETE) a post."""
        post = services.post_set_hidden(
            person=request.user, post=self.get_object(), hidden=request.method == "POST"
        )
        return self._out(post)

    @extend_schema(request=s.ReportSerializer, responses={201: s.ReportResultSerializer})
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk: int | None = None) -> Response:
        """Flag a post for the forum's moderators."""
        data = s.ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = call(
            services.post_report,
            person=request.user,
            post=self.get_object(),
            reason=data.validated_data["reason"],
        )
        return Response(s.ReportResultSerializer(report).data, status=status.HTTP_201_CREATED)
