"""The demo forums load on top of the members demo, and loading twice changes nothing."""

from __future__ import annotations

import io

import pytest

from forums import demo
from forums.models import Forum, Post, Thread
from members import demo as members_demo
from members.models import WorkingGroup

pytestmark = pytest.mark.django_db


def test_demo_forums_load_idempotently():
    members_demo.load(io.StringIO())
    demo.load(io.StringIO())
    counts = (Forum.objects.count(), Thread.objects.count(), Post.objects.count())
    convened = WorkingGroup.objects.filter(conveners__isnull=False).distinct().count()
    assert counts[0] == 1 + convened  # the network forum and one per working group
    assert counts[1] == 4 and counts[2] >= 10
    group_forum = Forum.objects.get(working_group__slug="ethical-ict")
    assert group_forum.threads.filter(title__icontains="fair smartphones").exists()
    demo.load(io.StringIO())
    assert (Forum.objects.count(), Thread.objects.count(), Post.objects.count()) == counts
