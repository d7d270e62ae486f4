"""What the search finds of forum threads and posts (declared with the type, see :mod:`network.content`)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from network.search.indexes import plain, working_group
from network.search.spec import SearchIndex

THREAD_INDEX = SearchIndex(
    model="forums.Thread",
    type="thread",
    type_label=_("Discussion"),
    title="title",
    fields=[("forum.name", "C")],
    language=None,
    date="last_activity_at",
    collapse=lambda t: f"thread:{t.pk}",
    facets={"working_group": lambda t: working_group(t.forum)},
    select_related=["forum__working_group"],
)

#: A thread's posts are searchable on their own (collapsed onto their thread in results).
POST_INDEX = SearchIndex(
    model="forums.Post",
    type="post",
    type_label=_("Post"),
    title="thread.title",
    fields=[(plain("body"), "C")],
    language=None,
    date="created_at",
    credit="author_organisation",
    collapse=lambda p: f"thread:{p.thread_id}",
    facets={"working_group": lambda p: working_group(p.thread.forum)},
    select_related=["thread__forum__working_group", "author_organisation"],
    # Removed and moderator-hidden posts keep their place in a thread, but not in search.
    include=Q(removed_at__isnull=True, hidden_by_moderator=False),
)
