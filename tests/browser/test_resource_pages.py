"""The resource centre's pages in a real browser: WCAG 2.1 AA (axe), 320 px reflow, visible focus,
announced form errors, in English, Finnish and Swedish.

Set ``BN_SCREENSHOTS`` to a directory to keep a screenshot of each page at 320 px and 1280 px.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.test_accessibility import (
    NARROW,
    WIDE,
    ZOOMED,
    check_error_state,
    check_page,
    language_context,
    submit_invalid,
)

pytestmark = pytest.mark.browser


def _world():
    from knowledge.resources import ResourceData, resource_create
    from members.models import Role
    from tests import factories
    from tests.statements.factories import ensure_cpv

    ensure_cpv()  # transactional tests flush the shipped CPV rows
    city = factories.organisation("City of Helsinki", slug="helsinki")
    editor = factories.member(city, Role.EDITOR, email="editor@hel.example", name="Eeva Editor")
    # a group the city convenes: the form offers "share with working groups" (checkboxes) too
    factories.working_group("Circular ICT", conveners=[city])
    resource = resource_create(
        person=editor,
        organisation=city,
        data=ResourceData(
            title="Kestävien hankintojen opas",
            kind="guide",
            summary="Opas ICT-hankintojen kestävyyskriteereihin.",
            url="https://example.org/opas",
            language="fi",
            visibility="network",
            cpv_codes=["30213100-6"],
        ),
    )
    return editor, resource


def _screenshots(page, name: str) -> None:
    folder = os.environ.get("BN_SCREENSHOTS")
    if not folder:
        return
    for width in (NARROW, WIDE):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)


def test_resource_pages_pass_the_sweep_in_english_finnish_and_swedish(live, new_context):
    editor, resource = _world()
    urls = {
        "list": "/resources/",
        "new": "/resources/new/",
        "detail": resource.get_absolute_url(),
        "edit": f"/resources/{resource.pk}/edit/",
        "library": "/library/?kind=resource",
    }
    problems: list[str] = []
    page = language_context(new_context, editor, "en")
    for name, url in urls.items():
        problems += check_page(page, url)
        _screenshots(page, f"resource-{name}-en")
    for language in ("fi", "sv"):
        page = language_context(new_context, editor, language)
        for name in ("new", "detail"):
            problems += check_page(
                page, urls[name], widths=(NARROW, ZOOMED, WIDE), axe_at=(NARROW,), focus=False
            )
            _screenshots(page, f"resource-{name}-{language}")
        assert page.evaluate("document.documentElement.lang") == language
    assert not problems, "\n\n".join(problems)


def test_the_resource_form_announces_its_errors_in_every_language(live, new_context):
    editor, _resource = _world()
    problems: list[str] = []
    for language in ("en", "fi", "sv"):
        page = language_context(new_context, editor, language)
        submit_invalid(page, "/resources/new/", submit="", fill={"#id_title": "Opas"})
        problems += check_error_state(page, language)
        _screenshots(page, f"resource-errors-{language}")
    assert not problems, "\n\n".join(problems)
