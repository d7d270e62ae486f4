"""In a real browser: Swagger UI lists the API's operations with no CSP or console error, Redoc
renders, and a staff account made by ``manage.py createstaff`` uses the admin's main page and
verifies an organisation with the admin action (reason on an intermediate page)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from members.models import Person
from tests import factories
from tests.browser.conftest import watch_console

pytestmark = pytest.mark.browser


def test_swagger_ui_lists_the_operations_without_csp_errors(page, live):
    page.goto("/api/docs/")
    page.locator(".opblock").first.wait_for(timeout=20_000)
    assert page.locator(".opblock").count() > 50
    assert page.locator(".opblock-summary-path", has_text="/api/v1/forums/").count() >= 1
    assert not page.console_errors, page.console_errors


def test_redoc_renders_without_script_errors(page, live):
    page.goto("/api/redoc/")
    page.get_by_text("Buyers Network API").first.wait_for(timeout=20_000)
    # Redoc's "API docs by Redocly" footer always asks cdn.redoc.ly for a logo; the CSP blocks it
    # (no third-party requests) and Redoc hides the broken image. Nothing else may fail.
    errors = [e for e in page.console_errors if "cdn.redoc.ly/redoc/logo-mini.svg" not in e]
    assert not errors, errors


def test_staff_uses_the_admin_and_verifies_an_organisation(new_context, live):
    call_command("createstaff", "staff@network.example", "--no-password", "--name", "Sam Staff")
    staff = Person.objects.get(email="staff@network.example")
    org = factories.organisation("City of Pending Browsers", verified=False)
    page = new_context(staff).new_page()
    watch_console(page)
    page.goto("/admin/")
    for model in (
        "members/organisation",
        "members/person",
        "members/workinggroup",
        "knowledge/tendertemplate",
        "statements/statement",
        "statements/signature",
        "events/event",
        "forums/forum",
        "forums/post",
        "forums/postreport",
    ):
        assert page.locator(f"#content-main a[href='/admin/{model}/']").count() >= 1, model
    page.get_by_role("link", name="Organisations", exact=True).first.click()
    page.get_by_role("row", name="City of Pending Browsers").get_by_role("checkbox").check()
    page.select_option("select[name=action]", "verify")
    page.click("#changelist-form button[name=index]")
    page.fill("textarea[name=reason]", "Website and domain checked")
    page.get_by_role("button", name="Verify").click()
    page.get_by_text("1 organisations verified.").wait_for()
    org.refresh_from_db()
    assert org.verified
    assert not page.console_errors, page.console_errors
