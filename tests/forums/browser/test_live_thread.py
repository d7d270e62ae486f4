"""The thread page in a real browser: a reply written in one window appears live in another
without a reload; the page has no serious accessibility violations and no CSP/console errors."""

from __future__ import annotations

import pytest

from tests.browser.conftest import format_violations, run_axe, watch_console
from tests.forums.factories import world

pytestmark = pytest.mark.browser


def test_reply_appears_live_in_another_window(new_context, live):
    w = world(posts=2)
    url = f"/forums/t/{w.thread.pk}/"
    watcher = new_context(w.alice).new_page()
    watch_console(watcher)
    watcher.goto(url)
    watcher.wait_for_function("() => document.getElementById('live-status').textContent.includes('Live')")
    writer = new_context(w.bob).new_page()
    writer.goto(url)
    writer.wait_for_function("() => document.getElementById('live-status').textContent.includes('Live')")
    writer.fill("textarea[name=body]", "Live **from Bob**")
    writer.click("#reply-form button[type=submit]")
    watcher.locator("#post-3 strong", has_text="from Bob").wait_for()
    assert watcher.locator("#post-3 .post-author").inner_text() == "Bob Berg"
    watcher.wait_for_function("() => document.getElementById('presence').textContent.includes('Bob Berg')")
    violations = run_axe(watcher)
    assert not violations, format_violations(violations)
    assert not watcher.console_errors, watcher.console_errors
