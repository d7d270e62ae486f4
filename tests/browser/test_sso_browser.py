"""Signing in with one's organisation in a real browser: the log-in page's SSO form, the real test
identity provider's own log-in page, and back, signed in."""

from __future__ import annotations

import pytest

from members.sso import services
from tests import factories
from tests.browser.conftest import format_violations, run_axe
from tests.sso.conftest import PASSWORD, identity_provider, provider  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


@pytest.mark.timeout(240)  # the first browser test may start the live server and the provider
def test_a_person_signs_in_through_their_organisations_provider(page, live, provider):  # noqa: F811
    org = factories.organisation("City of Helsinki", verified_domains=["hel.fi"])
    owner = factories.member(org, role="owner", email="owner@hel.fi")
    factories.member(org, role="editor", email="anna@hel.fi", name="Anna Virtanen")
    idp = services.identity_provider_configure(
        actor=owner,
        organisation=org,
        issuer=provider.issuer,
        client_id=f"browser-{org.pk}",
        client_secret="browser-secret",
        domains=["hel.fi"],
        password_login_allowed=False,
    )
    provider.client_for(
        f"browser-{org.pk}", "browser-secret", [f"{live.url}/accounts/oidc/{idp.provider_id}/login/callback/"]
    )
    provider.user("anna@hel.fi", "Anna Virtanen")

    page.goto("/accounts/login/")
    violations = run_axe(page)
    assert not violations, format_violations(violations)
    page.get_by_label("Work e-mail address").fill("anna@hel.fi")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue to your organisation's sign-in").click()
    assert page.url.startswith(f"{provider.base}/login/"), page.url
    page.get_by_label("Username").fill("anna@hel.fi")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation(url=f"{live.url}/"):
        page.get_by_role("button", name="Sign in at the provider").click()
    me = page.request.get(f"{live.url}/api/v1/me/")
    assert me.status == 200 and me.json()["email"] == "anna@hel.fi"
    assert [m["role"] for m in me.json()["memberships"]] == ["editor"]


def test_a_provider_that_is_down_is_explained_in_the_browser(page, live):
    org = factories.organisation("City of Espoo", verified_domains=["espoo.fi"])
    owner = factories.member(org, role="owner")
    services.identity_provider_configure(
        actor=owner,
        organisation=org,
        issuer="http://127.0.0.1:9/o",
        client_id="c",
        client_secret="s",
        domains=["espoo.fi"],
        password_login_allowed=True,
    )
    page.goto("/accounts/login/")
    page.get_by_label("Work e-mail address").fill("someone@espoo.fi")
    page.get_by_role("button", name="Continue to your organisation's sign-in").click()
    assert (
        page.get_by_role("alert")
        .inner_text()
        .startswith("Your organisation's sign-in service did not answer")
    )
    assert page.get_by_role("link", name="Sign in with your password").is_visible()
    violations = run_axe(page)
    assert not violations, format_violations(violations)
