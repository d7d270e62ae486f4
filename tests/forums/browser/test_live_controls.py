"""Live threads keep their controls: after another user reacts to and edits a post (in their own
browser), the reader's copy — re-rendered by the server for the reader — still has
React/Reply/Report with translated names and no Edit; posts inserted live have them too; the poster
hears a confirmation; the header badge counts a new mention without a reload."""

from __future__ import annotations

import pytest

from tests.browser.conftest import format_violations, run_axe, watch_console
from tests.forums.factories import world

pytestmark = pytest.mark.browser

LIVE = "() => document.getElementById('live-status').textContent.includes('Live')"


def test_another_users_reaction_and_edit_keep_the_readers_controls(new_context, live):
    w = world(posts=1)  # post 1 is Alice's
    url = f"/forums/t/{w.thread.pk}/"
    reader = new_context(w.bob).new_page()
    watch_console(reader)
    reader.goto(url)
    reader.wait_for_function(LIVE)
    author = new_context(w.alice).new_page()
    author.goto(url)
    author.click("#post-1 button[data-code=heart]")  # a plain form post
    reader.locator("#post-1 button[data-code=heart] .count", has_text="1").wait_for()
    author.goto(f"/forums/p/{w.thread.posts.get(seq=1).pk}/edit/")
    author.fill("textarea[name=body]", "First post, **edited** by Alice")
    author.click("main form button[type=submit]")
    reader.locator("#post-1 strong", has_text="edited").wait_for()
    post = reader.locator("#post-1")
    assert post.locator(".post-edited").count() == 1
    assert post.locator("button.reaction").count() == 5
    heart = post.locator("button[data-code=heart]")
    assert heart.get_attribute("title") == "Heart" and "Heart" in heart.inner_text()
    assert "thumbs_up" not in post.inner_text()
    assert post.locator("a.reply-link").count() == 1
    assert post.get_by_role("link", name="Report").count() == 1
    assert post.get_by_role("link", name="Edit").count() == 0  # Alice's control, not Bob's
    # a post inserted live has them too, and it is announced
    author.goto(url)
    author.wait_for_function(LIVE)
    author.fill("textarea[name=body]", "A second post")
    author.click("#reply-form button[type=submit]")
    reader.locator("#post-2 .post-body", has_text="A second post").wait_for()
    assert reader.locator("#post-2 button.reaction").count() == 5
    assert reader.locator("#post-2").get_by_role("link", name="Report").count() == 1
    assert reader.locator("#post-2").get_by_role("link", name="Edit").count() == 0
    reader.wait_for_function(
        "() => document.getElementById('thread-announcer').textContent.includes('Alice Andersson')"
    )
    violations = run_axe(reader)
    assert not violations, format_violations(violations)
    assert not reader.console_errors, reader.console_errors


def test_poster_gets_a_confirmation_and_their_own_controls(new_context, live):
    w = world(posts=1)
    writer = new_context(w.bob).new_page()
    writer.goto(f"/forums/t/{w.thread.pk}/")
    writer.wait_for_function(LIVE)
    writer.fill("textarea[name=body]", "Confirm me")
    writer.click("#reply-form button[type=submit]")
    writer.wait_for_function(
        "() => document.getElementById('thread-announcer').textContent.includes('Your reply was posted')"
    )
    writer.locator("#post-2").get_by_role("link", name="Edit").wait_for()  # Bob's own post
    assert writer.locator("textarea[name=body]").input_value() == ""


def test_header_badge_counts_a_new_mention_without_reload(new_context, live):
    w = world(posts=1)
    page = new_context(w.bob).new_page()
    watch_console(page)
    page.goto("/forums/")
    page.wait_for_selector("#notif-link[data-live='1']", state="attached")
    assert page.locator("#notif-badge").is_hidden()
    author = new_context(w.alice).new_page()
    author.goto(f"/forums/t/{w.thread.pk}/")
    author.fill("textarea[name=body]", "What do you think, @Bob Berg?")
    author.click("#reply-form button[type=submit]")
    page.locator("#notif-badge", has_text="1").wait_for()
    assert page.locator("#notif-badge").is_visible()
    assert "1" in page.locator("#notif-badge").get_attribute("aria-label")
    assert page.url.endswith("/forums/")  # no reload, no navigation
    assert not page.console_errors, page.console_errors
