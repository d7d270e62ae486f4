"""Forums, threads and posts, with reactions, mentions, subscriptions, read state and reports.

Visibility: a :class:`Forum` is tenant-owned (organisation + visibility + shared working groups);
threads and posts follow it (``visibility_parent``), so ``Post.objects.visible_to(person)`` carries
the forum's rule through ``thread__forum__``. Counters (``post_count``, ``last_seq``,
``last_activity_at``) are written by :mod:`forums.services` in the same transaction as the post,
never by ``save()`` cascades.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.visibility import TenantOwned, VisibleQuerySet


class Forum(TenantOwned):
    """A place for threads: the network-wide forum, a working group's, or an organisation's own."""

    class Kind(models.TextChoices):
        NETWORK = "network", _("Network")
        GROUP = "group", _("Working group")
        ORGANISATION = "organisation", _("Organisation")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ORGANISATION)
    working_group = models.OneToOneField(
        "members.WorkingGroup",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="forum",
        verbose_name=_("working group"),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("forum")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="group", working_group__isnull=False) | ~Q(kind="group"),
                name="forum_group_kind_has_group",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forums:forum", kwargs={"slug": self.slug})


class Thread(models.Model):
    """A conversation in a forum; ``last_seq`` is the sequence number of its newest post."""

    visibility_parent = "forum"

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="forum_threads"
    )
    author_organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pinned = models.BooleanField(_("pinned"), default=False)
    locked = models.BooleanField(_("locked"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    post_count = models.PositiveIntegerField(default=0)
    last_seq = models.PositiveIntegerField(default=0)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("thread")
        ordering = ["-pinned", "-last_activity_at", "-id"]
        indexes = [models.Index(fields=["forum", "-pinned", "-last_activity_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forums:thread", kwargs={"pk": self.pk})


class Post(models.Model):
    """One message; ``seq`` numbers a thread's posts 1, 2, 3… without gaps or duplicates."""

    visibility_parent = "thread"

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    seq = models.PositiveIntegerField(_("sequence number"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="forum_posts"
    )
    author_organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("message"))
    body_html = models.TextField(editable=False)
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    client_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_by_moderator = models.BooleanField(default=False)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        ordering = ["thread", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["thread", "seq"], name="post_seq_unique_per_thread"),
            models.UniqueConstraint(
                fields=["thread", "author", "client_id"],
                condition=~Q(client_id=""),
                name="post_client_id_once_per_author_thread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.thread} #{self.seq}"

    def get_absolute_url(self) -> str:
        return f"{reverse('forums:thread', kwargs={'pk': self.thread_id})}#post-{self.seq}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def is_visible_body(self) -> bool:
        """Removed and hidden posts keep their place, but not their words."""
        return not self.is_removed and not self.hidden_by_moderator


class Reaction(models.Model):
    """A reaction from a small fixed set, stored as a short code."""

    class Code(models.TextChoices):
        THUMBS_UP = "thumbs_up", "👍"
        HEART = "heart", "❤️"
        TADA = "tada", "🎉"
        EYES = "eyes", "👀"
        CHECK = "check", "✅"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=16, choices=Code.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "person", "code"], name="one_reaction_per_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} on {self.post_id}"


class Mention(models.Model):
    """A person named with ``@`` in a post (and notified once)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "person"], name="one_mention_per_post")]

    def __str__(self) -> str:
        return f"@{self.person_id} in {self.post_id}"


class Subscription(models.Model):
    """Following a thread; automatic when one posts in it."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_subscriptions"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="subscriptions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "thread"], name="one_subscription_per_thread")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} follows {self.thread_id}"


class ReadState(models.Model):
    """The last sequence number a person has read in a thread (a watermark).

    Threads quiet for longer than ``FORUMS_READ_CUTOFF_DAYS`` count as read, so rows for old threads
    are never needed and can be pruned (Misago's read tracker).
    """

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_states")
    last_read_seq = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "thread"], name="one_read_state_per_thread")]

    def __str__(self) -> str:
        return f"{self.person_id} read {self.thread_id} to {self.last_read_seq}"


class PostReport(models.Model):
    """A member flags a post for the forum's moderators."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["post", "reporter"], name="one_report_per_person")]

    def __str__(self) -> str:
        return f"report on {self.post_id}"
