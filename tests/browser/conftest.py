"""Real-browser fixtures: a live daphne server, Debian's Chromium through Playwright, axe-core.

Playwright cannot download its own browser here, so it drives ``/usr/bin/chromium``; tests skip
with a clear reason only when that binary is truly absent. The Playwright objects live for the
package (one browser for all journeys); each test gets fresh contexts, i.e. fresh cookies.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client

from tests.quality.liveserver import LiveServer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(autouse=True)
def _playwright_shares_the_thread(monkeypatch):
    """Playwright's sync API keeps an event loop running in this thread between calls, which
    Django reads as "inside async code"; the test body itself is synchronous, so allow the ORM."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="package")
def live_server_process(django_db_setup, django_db_blocker) -> Iterator[LiveServer]:
    """One daphne process for the browser package, on the test database."""
    with django_db_blocker.unblock():
        server = LiveServer()
        server.start()
    yield server
    server.close()


@pytest.fixture
def live(live_server_process, transactional_db) -> Iterator[LiveServer]:
    """The live server, with committed test data (transactional DB) and an empty mailbox."""
    live_server_process.clear_mails()
    if live_server_process.process is None or live_server_process.process.poll() is not None:
        live_server_process.start()
    yield live_server_process


@pytest.fixture(scope="package")
def playwright_instance():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM}: run scripts/install-system-packages.sh")
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    yield pw
    pw.stop()


@pytest.fixture(scope="package")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser, live) -> Iterator[Callable]:
    """Factory of isolated browser contexts (separate cookie jars), closed after the test."""
    contexts = []

    def make(person=None, **kwargs):
        context = browser.new_context(base_url=live.url, **kwargs)
        context.set_default_timeout(10_000)
        if person is not None:
            sign_in_context(context, live, person)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh anonymous context; it records console errors (CSP violations...)."""
    page = new_context().new_page()
    watch_console(page)
    return page


def sign_in_context(context, live: LiveServer, person) -> None:
    """Give a browser context the session cookie of ``person`` (a real DB session), so journeys
    that are not about signing in skip the form and its rate limits."""
    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    session_id = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session_id, "url": live.url}])


def watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    page.on(
        "response",
        lambda r: (
            errors.append(f"HTTP {r.status} for {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )
    page.console_errors = errors  # type: ignore[attr-defined]
    return errors


# --- accessibility ----------------------------------------------------------------------------

SERIOUS = {"serious", "critical"}
ALL_IMPACTS = {"minor", "moderate", "serious", "critical", None}


def run_axe(
    page,
    *,
    tags: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"),
    impacts: set | None = None,
) -> list[dict]:
    """Run axe-core on the current page; return its violations of every impact (the sweep's bar is
    zero), or only those whose impact is in ``impacts``.

    axe is evaluated through the DevTools protocol rather than a ``<script>`` tag, so the page's
    Content-Security-Policy (no inline scripts) stays on and its own violations stay visible.
    """
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} missing: run `npm ci` at the repository root")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;void 0")
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary).slice(0, 5)}));
        }""",
        list(tags),
    )
    return [v for v in result if v["impact"] in (impacts or ALL_IMPACTS)]


def format_violations(violations: list[dict]) -> str:
    return "\n".join(
        f"[{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations
    )


def unlabelled_fields(page) -> list[str]:
    """Form controls a screen reader cannot name (no label, aria-label or aria-labelledby)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('input, select, textarea'))
            .filter(el => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type))
            .filter(el => {
                if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
                if (el.labels && Array.from(el.labels).some(l => l.textContent.trim())) return false;
                if (el.title) return false;
                return true;
            })
            .map(el => el.outerHTML.slice(0, 160))"""
    )
