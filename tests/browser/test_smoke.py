import pytest

from tests.browser.conftest import format_violations, run_axe

pytestmark = pytest.mark.browser


def test_home_page_renders_in_chromium_without_serious_axe_violations(page, live):
    page.goto("/")
    assert page.locator("h1").first.is_visible()
    violations = run_axe(page)
    assert not violations, format_violations(violations)
    assert not page.console_errors, page.console_errors


def test_the_accessibility_checks_catch_a_broken_page(page, live):
    """The checker itself: a page with an unlabelled field and an image without text fails."""
    from tests.browser.conftest import unlabelled_fields

    page.goto("/")
    page.set_content(
        '<html lang="en"><body><main><h1>x</h1><input type="text" name="q"><img src="a.png"></main></body></html>'
    )
    ids = {v["id"] for v in run_axe(page)}
    assert {"label", "image-alt"} <= ids
    assert unlabelled_fields(page)
