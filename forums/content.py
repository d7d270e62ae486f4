"""Forum threads, declared once (see :mod:`network.content`); registered from the app's ``ready``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from forums.search_indexes import POST_INDEX, THREAD_INDEX
from network.content import ContentType, register, register_search
from network.dashboard import selectors as dashboard


def register_types() -> None:
    register(
        ContentType(
            kind="thread",
            model="forums.Thread",
            label=_("Threads"),
            search_type="thread",
            search_index=THREAD_INDEX,
            dashboard=(dashboard.new_threads,),
            dashboard_order=50,
            outcome_lookups=("pk",),
            notification_kinds=("forum.mention", "forum.reply"),
        )
    )
    # posts are searchable parts of a thread, not a type of their own
    register_search(POST_INDEX)
