"""Start the test identity provider: migrate its SQLite file, serve on a free 127.0.0.1 port.

Prints ``PORT <n>`` on stdout once it accepts connections. Run with
``DJANGO_SETTINGS_MODULE=tests.sso.provider.settings PROVIDER_DB=<file> python -m tests.sso.provider.serve``.
"""

import sys

import django


def main() -> None:
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    call_command("migrate", verbosity=0, interactive=False)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, ipv6=False)
    server.set_app(WSGIHandler())
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
