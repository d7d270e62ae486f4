"""Search index updates after the response, not inside it (see :mod:`network.search.indexing`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from network.search import indexing


class IndexAfterResponseMiddleware:
    """Index what a request changed once its response has been sent.

    A write's index update (the multilingual analysis of the text, language detection, the search
    tables) ran on commit, inside the request: about 30 % of a forum post request, ahead of the
    post's live event, which is sent on commit too. Here the keys are collected while the view runs
    and indexed by ``response.close()``, which Django's ASGI handler calls after the last byte of
    the body went out, on the request's own thread and database connection (and which the test
    client calls before returning, so a test still finds what it just posted). What is indexed is
    re-read by key then, as always: the committed state. Placed near the top of ``MIDDLEWARE`` so
    every view and middleware below it is covered."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        with indexing.deferred_updates() as deferred:
            response = self.get_response(request)
        deferred.attach(response)
        return response
