"""Accessibility of every main page in a real browser: axe-core (WCAG 2.1 A/AA rules and best
practices) finds no serious or critical violation, every form field has a label, and the page
runs under its Content-Security-Policy without errors (no inline script or style refused)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import format_violations, run_axe, unlabelled_fields, watch_console
from tests.browser.world import build_world

pytestmark = pytest.mark.browser


def pages(w) -> dict[str, str]:
    return {
        "home": "/",
        "library": "/library/",
        "template": w.template.get_absolute_url(),
        "statements": "/statements/",
        "statement": w.statement.get_absolute_url(),
        "sign-form": f"{w.statement.get_absolute_url()}sign/",
        "forums": "/forums/",
        "forum": w.forum.get_absolute_url(),
        "thread": w.thread.get_absolute_url(),
        "search": "/search/?q=laptops",
        "organisations": "/organisations/",
        "organisation": w.city.get_absolute_url()
        if hasattr(w.city, "get_absolute_url")
        else "/organisations/helsinki/",
        "events": "/events/",
        "event": w.event.get_absolute_url(),
        "dashboard": "/dashboard/",
        "notifications": "/notifications/",
    }


ANONYMOUS_PAGES = {
    "sign-in": "/accounts/login/",
    "sign-up": "/accounts/signup/",
    "password-reset": "/accounts/password/reset/",
}


def check_page(page, url: str) -> list[str]:
    problems = []
    response = page.goto(url)
    if response is None or response.status != 200:
        return [f"{url}: HTTP {response.status if response else 'no response'}"]
    page.wait_for_load_state("networkidle")
    violations = run_axe(page)
    if violations:
        problems.append(f"{url}:\n{format_violations(violations)}")
    unlabelled = unlabelled_fields(page)
    if unlabelled:
        problems.append(f"{url}: unlabelled fields {unlabelled}")
    if page.locator("h1").count() != 1:
        problems.append(f"{url}: {page.locator('h1').count()} h1 headings")
    if page.console_errors:
        problems.append(f"{url}: console errors {page.console_errors}")
    page.console_errors.clear()
    return problems


def test_main_pages_have_no_serious_accessibility_violations_signed_in(live, new_context):
    w = build_world()
    page = new_context(w.signatory).new_page()
    watch_console(page)
    problems = []
    for url in pages(w).values():
        problems += check_page(page, url)
    assert not problems, "\n\n".join(problems)


def test_sign_in_and_public_pages_have_no_serious_accessibility_violations(live, page):
    w = build_world()
    problems = []
    for url in [
        *ANONYMOUS_PAGES.values(),
        "/",
        "/library/",
        w.statement.get_absolute_url(),
        "/search/?q=phones",
    ]:
        problems += check_page(page, url)
    assert not problems, "\n\n".join(problems)
