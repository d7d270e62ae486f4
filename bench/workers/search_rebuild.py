"""Time a full search index rebuild (``manage.py search_index --rebuild``) in-process, so Django's
start-up is not counted; answers the seconds and the number of documents indexed."""

from __future__ import annotations

import io
import time

from bench.workers.common import emit, skip, start


def main() -> None:
    start()
    from django.core.management import call_command, get_commands

    if "search_index" not in get_commands():
        skip("manage.py search_index is not available yet")
    from network.search.registry import indexes

    documents = sum(index.queryset().count() for index in indexes())
    out = io.StringIO()
    started = time.perf_counter()
    call_command("search_index", "--rebuild", stdout=out)
    elapsed = time.perf_counter() - started
    emit({"seconds": elapsed, "documents": documents, "output": out.getvalue()[-500:]})


if __name__ == "__main__":
    main()
