import pytest

from tests.browser.conftest import format_violations, run_axe

pytestmark = pytest.mark.browser


def test_home_page_renders_in_chromium_without_serious_axe_violations(page, live):
    page.goto("/")
    assert page.locator("h1").first.is_visible()
    violations = run_axe(page)
    assert not violations, format_violations(violations)
    assert not page.console_errors, page.console_errors
