"""Keyboard-only journeys (WCAG 2.1.1, 2.4.3, 2.4.7): a person who cannot use a mouse posts in a
thread, registers (an account, and for an event) and forks a template with Tab, typing, Space and
Enter alone; signing a statement is in test_journeys.py. Each step also checks that the focused
element is the one a sighted keyboard user would see focused (focus-visible)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import watch_console
from tests.browser.world import build_world

pytestmark = pytest.mark.browser


def tab_to(page, predicate_js: str, limit: int = 80) -> None:
    """Press Tab until the focused element satisfies ``predicate_js`` (a JS expression on ``el``),
    and check that it shows a focus indicator."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!({predicate_js}); }})()"):
            assert page.evaluate("document.activeElement.matches(':focus-visible')")
            return
    raise AssertionError(f"never reached by Tab: {predicate_js}")


def test_posting_in_a_thread_with_the_keyboard_alone(live, new_context):
    from forums.models import Post

    w = build_world()
    page = new_context(w.member).new_page()
    watch_console(page)
    page.goto(w.thread.get_absolute_url())
    tab_to(page, "el.tagName === 'TEXTAREA' && el.closest('#reply-form')")
    page.keyboard.type("Malmö joins the market dialogue in May.")
    tab_to(page, "el.tagName === 'BUTTON' && el.type === 'submit' && el.closest('#reply-form')")
    page.keyboard.press("Enter")
    expect(page.locator("#posts")).to_contain_text("Malmö joins the market dialogue in May.")
    assert Post.objects.filter(thread=w.thread, body__contains="Malmö joins").count() == 1


def test_registering_for_an_event_with_the_keyboard_alone(live, new_context):
    from network.events.models import Registration

    w = build_world()
    page = new_context(w.member).new_page()
    page.goto(w.event.get_absolute_url())
    tab_to(page, "el.tagName === 'BUTTON' && /^Register$/.test(el.textContent.trim())")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("You are registered")
    assert Registration.objects.filter(event=w.event, person=w.member).exists()


def test_signing_up_with_the_keyboard_alone(live, page):
    build_world()
    page.goto("/accounts/signup/")
    tab_to(page, "el.name === 'email'")
    page.keyboard.type("keyboard.buyer@hel.example")
    tab_to(page, "el.name === 'password1'")
    page.keyboard.type("Circular-phones-2026")
    tab_to(page, "el.name === 'password2'")
    page.keyboard.type("Circular-phones-2026")
    tab_to(page, "el.tagName === 'BUTTON' && el.type === 'submit' && el.closest('main')")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text(re.compile("Verify|Confirm", re.I))


def test_forking_a_template_with_the_keyboard_alone(live, new_context):
    from knowledge.models import TenderTemplate
    from members.models import Role
    from tests import factories

    w = build_world()
    buyer = factories.member(w.peer, Role.EDITOR, email="editor@malmo.example", name="Erik Editor")
    page = new_context(buyer).new_page()
    page.goto(w.template.get_absolute_url())
    # The fork action is at the top of the page: few Tab presses after the header.
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Fork'", limit=25)
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Forked into Malmö stad")
    assert TenderTemplate.objects.filter(organisation=w.peer, forked_from__template=w.template).exists()
