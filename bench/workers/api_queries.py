"""Database queries per request for each API endpoint and its bare baseline at page sizes 10, 50
and 100, measured in-process with ``CaptureQueriesContext`` through Django's test client (the whole
stack: middleware, authentication, view, serialisation)."""

from __future__ import annotations

from bench.workers.common import emit, start


def main() -> None:
    payload = start()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.cookies["sessionid"] = payload["reader"]
    answer: dict[str, dict[str, int | None]] = {}
    for name, path_template in payload["paths"].items():
        counts: dict[str, int | None] = {}
        for size in payload["sizes"]:
            path = path_template.format(size=size)
            client.get(path)  # warm: the session and per-process caches are not what we count
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            counts[str(size)] = len(captured) if response.status_code == 200 else None
        answer[name] = counts
    emit(answer)


if __name__ == "__main__":
    main()
