"""Journeys a procurement officer makes, in Chromium against the live daphne server.

Sign up → verify the e-mail (from the mailbox) → joined to the organisation owning the domain;
search a template and fork it; a signatory signs a statement (mouse, then keyboard only) and
sees the aggregated demand change; two people in one thread see each other's posts live, and one
who loses the socket catches up after reconnecting.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import watch_console
from tests.browser.world import build_world

pytestmark = pytest.mark.browser


def test_sign_up_verify_email_and_join_the_organisation_by_domain(live, page):
    from members.models import Membership

    w = build_world()
    page.goto("/")
    page.get_by_role("link", name=re.compile("Join")).first.click()
    page.fill("input[name=email]", "new.buyer@hel.example")
    page.fill("input[name=password1]", "Circular-phones-2026")
    page.fill("input[name=password2]", "Circular-phones-2026")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator("h1")).to_contain_text(re.compile("Verify|Confirm", re.I))

    mails = live.mails(to="new.buyer@hel.example")
    assert len(mails) == 1, (
        [m["Subject"] for m in live.mails()],
        list(live.mail_dir.iterdir()),
        live.log_tail(),
    )
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", live.body(mails[0])).group(0)
    page.goto(link)
    page.locator("main form button[type=submit]").first.click()

    assert Membership.objects.filter(person__email="new.buyer@hel.example", organisation=w.city).exists()
    page.goto(f"/organisations/{w.city.slug}/")
    expect(page.locator("main")).to_contain_text("City of Helsinki")
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()
    assert not page.console_errors, page.console_errors


def test_search_a_template_and_fork_it(live, new_context):
    from knowledge.models import TenderTemplate
    from members.models import Role
    from tests import factories

    w = build_world()
    buyer = factories.member(w.peer, Role.EDITOR, email="editor@malmo.example", name="Erik Editor")
    page = new_context(buyer).new_page()
    watch_console(page)
    page.goto("/")
    page.get_by_role("searchbox", name=re.compile("Search the network")).fill("laptops framework")
    page.keyboard.press("Enter")
    page.get_by_role("link", name=re.compile("Fair laptops framework")).first.click()
    expect(page.locator("h1")).to_contain_text("Fair laptops framework")
    page.get_by_role("button", name=re.compile("^Fork$")).click()
    expect(page.locator(".messages")).to_contain_text("Forked into Malmö stad")
    fork = TenderTemplate.objects.get(organisation=w.peer)
    assert fork.forked_from.template_id == w.template.pk and fork.visibility == "private"
    assert page.url.endswith(fork.get_absolute_url())
    assert not page.console_errors, page.console_errors


def _demand_text(page) -> str:
    return page.locator(".demand-summary").inner_text()


def test_a_signatory_signs_a_statement_and_sees_the_demand_change(live, new_context):
    from knowledge.statements.models import Signature

    w = build_world()
    page = new_context(w.member).new_page()
    watch_console(page)
    page.goto(w.statement.get_absolute_url())
    before = _demand_text(page)
    assert "4,321" not in before
    page.get_by_role("link", name=re.compile("^Sign")).first.click()
    page.get_by_label(re.compile("Phones", re.I)).fill("4321")
    page.get_by_label("Publish these volumes").check()
    page.get_by_role("button", name=re.compile("Review")).click()
    expect(page.locator("h1")).to_contain_text("Confirm your signature")
    page.get_by_role("button", name=re.compile("Sign now")).click()
    expect(page.locator(".demand-summary")).to_contain_text("4,321")
    expect(page.locator("main")).to_contain_text("Malmö stad")
    assert Signature.objects.filter(statement=w.statement, organisation=w.peer).count() == 1
    assert not page.console_errors, page.console_errors


def test_a_signatory_amends_volumes_and_the_network_demand_page_changes(live, new_context):
    from knowledge.statements import services
    from knowledge.statements.models import Signature

    w = build_world()
    services.statement_sign(
        person=w.member,
        statement=w.statement,
        organisation=w.peer,
        volumes={"phones": 1234},
        volumes_public=True,
    )
    page = new_context(w.member).new_page()
    watch_console(page)
    page.goto("/demand/")
    table = page.get_by_role("table", name=re.compile("by device category"))
    expect(table).to_contain_text("1,234")
    page.goto(w.statement.get_absolute_url())
    page.get_by_role("link", name=re.compile("Amend your volumes")).click()
    expect(page.locator("h1")).to_contain_text("Amend your signature")
    page.get_by_label(re.compile("Smartphones", re.I)).fill("7777")
    page.get_by_label(re.compile("Laptops", re.I)).fill("250")
    page.get_by_role("button", name=re.compile("Save the new figures")).click()
    expect(page.locator(".messages")).to_contain_text("now declares the new figures")
    page.get_by_role("link", name=re.compile("Declared demand across the network")).first.click()
    expect(page.locator("h1")).to_contain_text("Declared demand across the network")
    table = page.get_by_role("table", name=re.compile("by device category"))
    expect(table).to_contain_text("7,777")
    expect(table).to_contain_text("250")
    expect(table).not_to_contain_text("1,234")
    expect(page.locator("svg.bar-chart desc")).to_contain_text("7,777")
    assert Signature.objects.filter(statement=w.statement, organisation=w.peer).count() == 2
    assert not page.console_errors, page.console_errors


def _tab_to(page, predicate_js: str, limit: int = 60) -> None:
    """Press Tab until the focused element satisfies ``predicate_js`` (a JS expression on ``el``)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!({predicate_js}); }})()"):
            return
    raise AssertionError(f"never reached by Tab: {predicate_js}")


def test_signing_works_with_the_keyboard_alone(live, new_context):
    from knowledge.statements.models import Signature

    w = build_world()
    page = new_context(w.member).new_page()
    page.goto(w.statement.get_absolute_url())
    _tab_to(page, "el.tagName === 'A' && /^Sign/.test(el.textContent.trim())")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/sign/$"))
    _tab_to(page, "el.name === 'volume_phones'")
    page.keyboard.type("777")
    _tab_to(page, "el.name === 'volumes_public'")
    page.keyboard.press("Space")
    _tab_to(page, "el.tagName === 'BUTTON' && /Review/.test(el.textContent)")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Confirm your signature")
    _tab_to(page, "el.tagName === 'BUTTON' && /Sign now/.test(el.textContent)")
    page.keyboard.press("Enter")
    expect(page.locator(".demand-summary")).to_contain_text("777")
    assert Signature.objects.filter(statement=w.statement, organisation=w.peer).exists()


TRACK_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = function (...args) { const s = new Native(...args); window.__sockets.push(s); return s; };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();
"""


def _post(page, text: str) -> None:
    """Write and send a reply, then wait until it shows, as a person would before the next one
    (the form keeps its idempotency key until the server acknowledges the post)."""
    page.locator("#reply-form textarea").fill(text)
    page.locator("#reply-form button[type=submit]").click()
    expect(page.locator("#posts")).to_contain_text(text)
    expect(page.locator("#reply-form textarea")).to_have_value("")


def test_two_people_see_each_others_posts_live_and_a_dropped_socket_catches_up(live, new_context):
    from forums.models import Post

    w = build_world()
    alice_ctx, bob_ctx = new_context(w.editor), new_context(w.member)
    bob_ctx.add_init_script(TRACK_SOCKETS)
    alice, bob = alice_ctx.new_page(), bob_ctx.new_page()
    for p in (alice, bob):
        watch_console(p)
        p.goto(w.thread.get_absolute_url())
        expect(p.locator("body")).to_contain_text("Live: new posts appear")

    _post(alice, "Alice: we publish the tender in May.")
    expect(bob.locator("#posts")).to_contain_text("Alice: we publish the tender in May.")
    _post(bob, "Bob: Malmö joins the dialogue.")
    expect(alice.locator("#posts")).to_contain_text("Bob: Malmö joins the dialogue.")

    # Bob's network drops: his socket closes and reconnecting fails until he is back online.
    bob_ctx.set_offline(True)
    bob.evaluate("window.__sockets.forEach(s => s.close())")
    expect(bob.locator("body")).to_contain_text("reconnecting")
    missed = [f"Alice: missed message {n}" for n in range(1, 4)]
    for text in missed:
        _post(alice, text)
    expect(alice.locator("#posts")).to_contain_text(missed[-1])
    expect(bob.locator("#posts")).not_to_contain_text(missed[0])
    bob_ctx.set_offline(False)
    for text in missed:
        expect(bob.locator("#posts")).to_contain_text(text, timeout=20_000)
    # Nothing twice: every post once, in order.
    bodies = bob.locator("#posts > li.post").all_inner_texts()
    assert sum(missed[0] in b for b in bodies) == 1
    assert Post.objects.filter(thread=w.thread).count() == 1 + 2 + len(missed)
    for p in (alice, bob):
        errors = [
            e for e in p.console_errors if "WebSocket" not in e and "ERR_INTERNET_DISCONNECTED" not in e
        ]
        assert not errors, errors
