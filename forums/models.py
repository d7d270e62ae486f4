"""Forums, threads and posts, with reactions, mentions, subscriptions, read state and reports.

Visibility: a :class:`Forum` is tenant-owned (organisation + visibility + shared working groups);
threads and posts follow it (``visibility_parent``), so ``Post.objects.visible_to(person)`` carries
the forum's rule through ``thread__forum__``. Counters (``post_count``, ``last_seq``,
``last_activity_at``) are written by :mod:`forums.services` in the same transaction as the post,
never by ``save()`` cascades.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.visibility import TenantOwned, VisibleQuerySet

#: The longest post and thread title (the models' rules; forms and the API do not repeat them).
MAX_BODY_LENGTH = 20_000
MAX_TITLE_LENGTH = 200


class Forum(TenantOwned):
    """A place for threads: the network-wide forum, a working group's, or an organisation's own.

    Ownership: the one network-wide forum belongs to the platform (``organisation`` is empty; a
    migration creates it, network staff moderate it); a working group's forum belongs to its first
    convener and follows the group's visibility; every other forum belongs to the organisation that
    created it. An archived forum stays readable but takes no new threads or posts.
    """

    class Kind(models.TextChoices):
        NETWORK = "network", _("Network")
        GROUP = "group", _("Working group")
        ORGANISATION = "organisation", _("Organisation")

    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="forums_forum_set",
        verbose_name=_("organisation"),
        help_text=_("Empty for the network-wide forum, which belongs to the platform."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ORGANISATION)
    working_group = models.OneToOneField(
        "members.WorkingGroup",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="forum",
        verbose_name=_("working group"),
    )
    name = models.CharField(
        _("name"),
        max_length=200,
        error_messages={
            "blank": _("Give the forum a name."),
            "max_length": _("A name can be at most %(limit_value)d characters."),
        },
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(
        _("description"),
        blank=True,
        validators=[MaxLengthValidator(5000, _("A description can be at most %(limit_value)d characters."))],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    #: Network staff moderate the network forum, so they read it without an organisation of their own.
    visibility_staff_reads_network = True

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="group", working_group__isnull=False) | ~Q(kind="group"),
                name="forum_group_kind_has_group",
            ),
            models.CheckConstraint(
                condition=Q(kind="network", organisation__isnull=True)
                | (~Q(kind="network") & Q(organisation__isnull=False)),
                name="forum_owner_unless_network",
            ),
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="network"), name="one_network_forum"),
            models.UniqueConstraint(
                "organisation",
                Lower("name"),
                condition=Q(kind="organisation"),
                name="forum_name_unique_per_org",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forums:forum", kwargs={"slug": self.slug})

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Thread(models.Model):
    """A conversation in a forum; ``last_seq`` is the sequence number of its newest post."""

    visibility_parent = "forum"

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(
        _("title"),
        max_length=MAX_TITLE_LENGTH,
        error_messages={
            "blank": _("Give the thread a title."),
            "max_length": _("A title can be at most %(limit_value)d characters."),
        },
    )
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
    body = models.TextField(
        _("message"),
        validators=[
            MaxLengthValidator(MAX_BODY_LENGTH, _("A message can be at most %(limit_value)d characters."))
        ],
        error_messages={"blank": _("Write a message.")},
    )
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
    """A member flags a post for the forum's moderators, who resolve it with an outcome and a reason."""

    class Outcome(models.TextChoices):
        DISMISSED = "dismissed", _("Dismissed: nothing to act on")
        POST_HIDDEN = "post_hidden", _("The post was hidden")
        THREAD_LOCKED = "thread_locked", _("The thread was locked")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    resolution_note = models.TextField(_("moderator's reason"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("report")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["post", "reporter"], name="one_report_per_person")]
        indexes = [models.Index(fields=["resolved_at", "-created_at"])]

    def __str__(self) -> str:
        return f"report on {self.post_id}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class ModerationAction(models.Model):
    """One moderator action, kept so the forum's other moderators see who did what and why."""

    class Action(models.TextChoices):
        DISMISS = "dismiss", _("dismissed a report")
        HIDE = "hide", _("hid a post")
        SHOW = "show", _("showed a post again")
        REMOVE = "remove", _("removed a post")
        LOCK = "lock", _("locked a thread")
        UNLOCK = "unlock", _("unlocked a thread")
        PIN = "pin", _("pinned a thread")
        UNPIN = "unpin", _("unpinned a thread")
        ARCHIVE = "archive", _("archived the forum")
        UNARCHIVE = "unarchive", _("reopened the forum")
        RENAME = "rename", _("renamed the forum")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="moderation_actions")
    thread = models.ForeignKey(Thread, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    report = models.ForeignKey(
        PostReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("moderation action")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["forum", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.action} in {self.forum_id}"
