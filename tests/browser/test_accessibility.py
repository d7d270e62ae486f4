"""The accessibility sweep (issue 19): every main page, anonymous and signed in, in a real browser.

For each page: axe-core with the wcag2a, wcag2aa, wcag21a, wcag21aa and best-practice tags finds
**no** violation of any impact; every form control has a name; one ``h1``; no console error under
the Content-Security-Policy; no sideways scrolling (``scrollWidth <= innerWidth``) at 1,280 px, at
320 px (WCAG 1.4.10) and at 640 px, which is what a 1,280 px window shows at 200 % zoom (1.4.4);
and the focus indicator of every focusable element measures at least 3:1 against the background
next to it (1.4.11, 2.4.7). Every form's error state is submitted for real: focus lands on an
error summary that is announced (role="alert"), the title says "Error:", each summary link leads
to its field and every ``aria-describedby`` names an element that exists. User content carries
the language its author declared (3.1.2).

English runs the whole page list; Finnish and Swedish run a representative set (every page
family once) at 320 px, which is where long compound words break layouts. Pages share one
browser context per person so the sweep stays at a few minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.browser.conftest import format_violations, run_axe, unlabelled_fields, watch_console
from tests.browser.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

WIDE, NARROW, ZOOMED = 1280, 320, 640
ERROR_PREFIX = {"en": "Error:", "fi": "Virhe:", "sv": "Fel:"}


@dataclass
class SweepWorld:
    w: object
    owner: object
    lesson: object
    tender: object
    urls: dict[str, str] = field(default_factory=dict)
    anonymous: dict[str, str] = field(default_factory=dict)
    signatory_urls: dict[str, str] = field(default_factory=dict)


def build_sweep_world() -> SweepWorld:
    from knowledge.services import templates as template_services
    from members.models import Role
    from network import notifications
    from tests import factories
    from tests.knowledge import factories as knowledge
    from tests.statements import factories as statements

    w = build_world()
    owner = factories.member(w.city, Role.OWNER, email="owner@hel.example", name="Outi Owner")
    template_services.template_publish(person=w.editor, template=w.template, change_note="Second version")
    lesson = knowledge.lesson(
        w.editor,
        w.city,
        visibility="network",
        title="Kannettavien tietokoneiden markkinavuoropuhelu",
        language="fi",
        context="Kävimme markkinavuoropuhelun ennen tarjouspyyntöä.",
        tags=["green:circ-econ", "social:hum-right"],
    )
    tender = knowledge.tender(w.editor, w.city, visibility="network")
    statements.sign(w.statement, w.peer, volumes={"phones": 7000})
    notifications.notify(
        [owner],
        kind="signature",
        title="Malmö stad signed your statement",
        url=w.statement.get_absolute_url(),
    )
    sw = SweepWorld(w=w, owner=owner, lesson=lesson, tender=tender)
    t, s, e = w.template.get_absolute_url(), w.statement.get_absolute_url(), w.event.get_absolute_url()
    sw.urls = {
        "home": "/",
        "dashboard": "/dashboard/",
        "library": "/library/",
        "library-tenders": "/library/?kind=tender",
        "template": t,
        "template-edit": f"{t}edit/",
        "template-new": "/library/templates/new/",
        "template-diff": f"{t}diff/?from=1&to=2",
        "lesson": lesson.get_absolute_url(),
        "lesson-new": "/library/lessons/new/",
        "tender": tender.get_absolute_url(),
        "tender-new": "/library/tenders/new/",
        "statements": "/statements/",
        "statement": s,
        "statement-manage": f"{s}manage/",
        "statement-new": "/statements/new/",
        "forums": "/forums/",
        "forum": w.forum.get_absolute_url(),
        "thread": w.thread.get_absolute_url(),
        "demand": "/demand/",
        "demand-filtered": f"/demand/?statement={w.statement.slug}&category=phones",
        "events": "/events/",
        "event": e,
        "event-new": "/events/new/",
        "event-attendees": f"{e}attendees/",
        "organisations": "/organisations/",
        "organisation": f"/organisations/{w.city.slug}/",
        "organisation-manage": f"/organisations/{w.city.slug}/members/",
        "organisation-edit": f"/organisations/{w.city.slug}/edit/",
        "working-groups": "/working-groups/",
        "working-group": f"/working-groups/{w.group.slug}/",
        "notifications": "/notifications/",
        "notification-settings": "/notifications/settings/",
        "profile": "/account/profile/",
        "search": "/search/?q=laptops",
        "e-mail addresses": "/accounts/email/",
        "sessions": "/accounts/sessions/",
        "password-change": "/accounts/password/change/",
        "two-factor": "/accounts/2fa/",
        "accessibility": "/accessibility/",
        "status": "/status/",
    }
    sw.signatory_urls = {"sign-form": f"{s}sign/", "dashboard (signatory)": "/dashboard/"}
    sw.anonymous = {
        "home": "/",
        "sign-in": "/accounts/login/",
        "sign-up": "/accounts/signup/",
        "password-reset": "/accounts/password/reset/",
        "library": "/library/",
        "template": t,
        "statements": "/statements/",
        "statement": s,
        "demand": "/demand/",
        "events": "/events/",
        "event": e,
        "search": "/search/?q=phones",
        "organisations": "/organisations/",
        "accessibility": "/accessibility/",
        "status": "/status/",
    }
    return sw


# --- measurements in the page -------------------------------------------------------------------

OVERFLOW_JS = """() => {
    const W = window.innerWidth, out = [];
    for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.right <= W + 1) continue;
        let p = el.parentElement, clipped = false;
        while (p) { const o = getComputedStyle(p).overflowX; if (o !== 'visible') { clipped = true; break; } p = p.parentElement; }
        if (!clipped) out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''} right=${Math.round(r.right)}`);
    }
    return {scrollWidth: document.documentElement.scrollWidth, innerWidth: W, culprits: out.slice(0, 5)};
}"""

FOCUS_JS = """() => {
    const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
        const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
    const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
    const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
    const background = el => { for (let p = el.parentElement; p; p = p.parentElement) {
        const c = parse(getComputedStyle(p).backgroundColor); if (c && c.a > 0.5) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
    const selector = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
    const els = Array.from(document.querySelectorAll(selector)).filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden');
    const problems = []; let measured = 0, lowest = 99;
    for (const el of els) {
        el.focus({preventScroll: true});
        if (document.activeElement !== el) continue;
        measured++;
        const s = getComputedStyle(el), name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + (el.textContent || el.value || '').trim().slice(0, 30) + '"';
        if (!el.matches(':focus-visible')) { problems.push(name + ': no :focus-visible after keyboard use'); continue; }
        const width = parseFloat(s.outlineWidth), color = parse(s.outlineColor);
        if (s.outlineStyle === 'none' || width < 2 || !color) { problems.push(name + `: focus outline ${s.outlineStyle} ${s.outlineWidth}`); continue; }
        const r = ratio(color, background(el)); lowest = Math.min(lowest, r);
        if (r < 3) problems.push(name + `: focus outline ${s.outlineColor} is ${r.toFixed(2)}:1 against its background`);
    }
    if (document.activeElement) document.activeElement.blur();
    return {measured, lowest, problems: problems.slice(0, 8)};
}"""


def check_focus(page) -> tuple[list[str], int, float]:
    """Measure every focusable element's focus outline against the background it sits on."""
    page.keyboard.press("Tab")  # keyboard modality, as a keyboard user's first key press
    result = page.evaluate(FOCUS_JS)
    return result["problems"], result["measured"], result["lowest"]


def check_reflow(page, width: int) -> list[str]:
    page.set_viewport_size({"width": width, "height": 900})
    result = page.evaluate(OVERFLOW_JS)
    if result["scrollWidth"] > result["innerWidth"]:
        return [
            f"scrolls sideways at {width} px: {result['scrollWidth']} > {result['innerWidth']} {result['culprits']}"
        ]
    return []


def check_page(
    page, url: str, *, widths=(WIDE, NARROW, ZOOMED), axe_at=(WIDE, NARROW), focus=True
) -> list[str]:
    """Every check of one page; returns the problems found, prefixed with the URL."""
    page.set_viewport_size({"width": widths[0], "height": 900})
    try:
        response = page.goto(url)
    except Exception as exc:  # an error page without a body: report it with the rest
        return [f"{url}: {exc}"]
    if response is None or response.status != 200:
        return [f"{url}: HTTP {response.status if response else 'no response'}"]
    page.wait_for_load_state("networkidle")
    problems: list[str] = []
    if page.locator("h1").count() != 1:
        problems.append(f"{page.locator('h1').count()} h1 headings")
    unlabelled = unlabelled_fields(page)
    if unlabelled:
        problems.append(f"unlabelled fields {unlabelled}")
    for width in widths:
        problems += check_reflow(page, width)
        if width in axe_at:
            violations = run_axe(page)
            if violations:
                problems.append(f"axe at {width} px:\n{format_violations(violations)}")
    if focus:
        page.set_viewport_size({"width": WIDE, "height": 900})
        focus_problems, _, _ = check_focus(page)
        problems += focus_problems
    if page.console_errors:
        problems.append(f"console errors {page.console_errors}")
        page.console_errors.clear()
    return [f"{url}: {p}" for p in problems]


def sweep(page, urls) -> list[str]:
    problems: list[str] = []
    for url in urls:
        problems += check_page(page, url)
    return problems


def language_context(new_context, person, language: str):
    """A page in a fresh context of ``person`` (None: anonymous) whose browser asks for ``language``."""
    context = new_context(person, locale={"en": "en-GB", "fi": "fi-FI", "sv": "sv-SE"}[language])
    context.set_extra_http_headers({"Accept-Language": language})
    page = context.new_page()
    watch_console(page)
    return page


# --- the sweep ------------------------------------------------------------------------------------


def test_every_main_page_signed_in_passes_the_sweep_in_english(live, new_context):
    sw = build_sweep_world()
    page = language_context(new_context, sw.owner, "en")
    problems = sweep(page, sw.urls.values())
    signatory = language_context(new_context, sw.w.member, "en")
    problems += sweep(signatory, sw.signatory_urls.values())
    assert not problems, "\n\n".join(problems)


def test_every_public_page_anonymous_passes_the_sweep_in_english(live, new_context):
    sw = build_sweep_world()
    page = language_context(new_context, None, "en")
    problems = sweep(page, sw.anonymous.values())
    assert not problems, "\n\n".join(problems)


REPRESENTATIVE = [
    "home",
    "dashboard",
    "library",
    "template",
    "template-edit",
    "lesson",
    "tender",
    "statement",
    "statement-manage",
    "thread",
    "event",
    "organisation",
    "organisation-manage",
    "search",
    "notifications",
    "sessions",
    "accessibility",
    "status",
]


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_page_of_every_kind_passes_the_sweep_in_finnish_and_swedish(live, new_context, language):
    sw = build_sweep_world()
    page = language_context(new_context, sw.owner, language)
    problems: list[str] = []
    for name in REPRESENTATIVE:
        problems += check_page(
            page, sw.urls[name], widths=(NARROW, ZOOMED, WIDE), axe_at=(NARROW,), focus=False
        )
    assert page.evaluate("document.documentElement.lang") == language
    signatory = language_context(new_context, sw.w.member, language)
    problems += check_page(
        signatory, sw.signatory_urls["sign-form"], widths=(NARROW,), axe_at=(NARROW,), focus=False
    )
    anonymous = language_context(new_context, None, language)
    for url in ("/accounts/login/", "/accounts/signup/", "/statements/"):
        problems += check_page(anonymous, url, widths=(NARROW,), axe_at=(NARROW,), focus=False)
    assert not problems, "\n\n".join(problems)


def test_focus_indicators_measure_at_least_3_to_1(live, new_context):
    """The measurement itself, reported: every focusable element of the busiest pages."""
    sw = build_sweep_world()
    page = language_context(new_context, sw.owner, "en")
    lowest, measured, problems = 99.0, 0, []
    for url in (sw.urls["home"], sw.urls["template"], sw.urls["statement"], sw.urls["organisation-manage"]):
        page.goto(url)
        found, count, low = check_focus(page)
        problems += [f"{url}: {p}" for p in found]
        measured += count
        lowest = min(lowest, low)
    assert not problems, "\n".join(problems)
    assert measured > 40 and lowest >= 3, (measured, lowest)


# --- forms in their error state -------------------------------------------------------------------


def submit_invalid(page, url: str, *, submit: str, fill: dict[str, str] | None = None) -> None:
    """Open ``url``, fill the given fields with bad values, turn the browser's own validation off
    (the server's errors are what is tested) and press the submit button named ``submit``."""
    page.goto(url)
    for selector, value in (fill or {}).items():
        # Set by script: a person can paste past a maxlength the browser would enforce on typing.
        page.eval_on_selector(selector, "(el, v) => { el.value = v; }", value)
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    with page.expect_navigation():
        page.locator(f"main form button[type=submit]:has-text('{submit}')").first.click()


ERROR_STATE_JS = """() => {
    const summary = document.getElementById('error-summary');
    const problems = [];
    if (!summary) return ['no error summary'];
    if (document.activeElement !== summary) problems.push('focus is on ' + document.activeElement.tagName + ', not on the error summary');
    if (summary.getAttribute('role') !== 'alert') problems.push('the summary is not announced (role=alert)');
    for (const a of summary.querySelectorAll('a[href^="#"]')) {
        if (!document.getElementById(a.getAttribute('href').slice(1))) problems.push('summary link to a missing field ' + a.getAttribute('href'));
    }
    const invalid = document.querySelectorAll('main [aria-invalid="true"]');
    for (const el of invalid) {
        const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
        if (!ids.length) problems.push(`${el.name}: invalid but described by nothing`);
        for (const id of ids) if (!document.getElementById(id)) problems.push(`${el.name}: aria-describedby names missing #${id}`);
        if (!ids.some(id => { const d = document.getElementById(id); return d && d.classList.contains('errorlist'); }))
            problems.push(`${el.name}: its error message is not in its description`);
    }
    return problems;
}"""


def check_error_state(page, language: str) -> list[str]:
    problems = page.evaluate(ERROR_STATE_JS)
    if not page.title().startswith(ERROR_PREFIX[language]):
        problems.append(f"title {page.title()!r} does not start with {ERROR_PREFIX[language]!r}")
    violations = run_axe(page)
    if violations:
        problems.append(format_violations(violations))
    return [f"{page.url}: {p}" for p in problems]


def test_every_form_announces_its_errors_and_ties_them_to_fields(live, new_context):
    sw = build_sweep_world()
    w = sw.w
    anonymous = language_context(new_context, None, "en")
    owner = language_context(new_context, sw.owner, "en")
    signatory = language_context(new_context, w.member, "en")
    cases = [
        (
            anonymous,
            "/accounts/login/",
            "Sign in",
            {"input[name=login]": "nobody@example.org", "input[name=password]": "wrong-password-1"},
        ),
        (anonymous, "/accounts/signup/", "Sign up", {"input[name=email]": "not-an-address"}),
        (anonymous, "/accounts/password/reset/", "Reset", {}),
        (anonymous, "/accessibility/", "Send feedback", {"#id_message": "short"}),
        (owner, "/library/templates/new/", "Save", {}),
        (owner, "/library/lessons/new/", "Save", {}),
        (owner, "/library/tenders/new/", "Save", {}),
        (owner, "/statements/new/", "Save", {}),
        (owner, "/events/new/", "", {}),
        (owner, "/working-groups/new/", "", {}),
        (owner, w.forum.get_absolute_url(), "", {}),
        (owner, f"/organisations/{w.city.slug}/edit/", "", {"#id_name": ""}),
        (owner, "/account/profile/", "", {"#id_name": "x" * 400}),
        (owner, f"/organisations/{w.city.slug}/members/", "Send", {"#id_email": "not-an-address"}),
        (anonymous, w.event.get_absolute_url(), "Register as a guest", {}),
        (signatory, f"{w.statement.get_absolute_url()}sign/", "Review", {"input[name=volume_phones]": "-5"}),
    ]
    problems: list[str] = []
    for page, url, submit, fill in cases:
        try:
            submit_invalid(page, url, submit=submit, fill=fill)
        except Exception as exc:  # report every form, not only the first that fails
            problems.append(f"{url}: could not submit: {exc}")
            continue
        problems += check_error_state(page, "en")
    # The same in Finnish and Swedish: the title prefix and the summary speak the language.
    for language in ("fi", "sv"):
        page = language_context(new_context, sw.owner, language)
        submit_invalid(page, "/library/templates/new/", submit="", fill={})
        problems += check_error_state(page, language)
    assert not problems, "\n\n".join(problems)


# --- language of parts ----------------------------------------------------------------------------


def test_user_content_carries_its_language_in_lists_and_details(live, new_context):
    sw = build_sweep_world()
    page = language_context(new_context, sw.owner, "en")
    page.goto("/library/")
    assert page.locator("main strong[lang=fi]", has_text="Kannettavien tietokoneiden").count() == 1
    assert page.locator("main strong[lang=en]", has_text="Fair laptops framework").count() == 1
    page.goto(sw.lesson.get_absolute_url())
    assert page.locator("h1[lang=fi]").count() == 1
    assert page.locator("main p[lang=fi]", has_text="markkinavuoropuhelun").count() == 1
    # The interface around it stays in the page's language.
    assert page.evaluate("document.documentElement.lang") == "en"
    page.goto(sw.w.template.get_absolute_url())
    assert page.locator("h1[lang=en]").count() == 1
    page.goto("/search/?q=markkinavuoropuhelu")
    assert page.locator("main [lang=fi]").count() >= 1


def test_the_api_documentation_has_a_language_a_main_landmark_and_a_heading(live, page):
    """Swagger UI is third-party (the statement says so), but its page is ours: it names its
    language, has one h1 and a main landmark, and runs under the Content-Security-Policy."""
    page.goto("/api/docs/")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("main > h1").count() == 1 and page.locator("main#main").count() == 1
    assert page.locator(".opblock").count() > 10
    assert not page.console_errors, page.console_errors
