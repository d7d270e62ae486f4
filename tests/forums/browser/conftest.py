"""Reuse the real-browser fixtures (live daphne, Chromium through Playwright, axe-core)."""

from tests.browser.conftest import *  # noqa: F403
from tests.browser.conftest import _playwright_shares_the_thread  # noqa: F401  (autouse)
