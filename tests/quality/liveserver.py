"""A real ASGI server (daphne) in a subprocess, against the test database.

Browser journeys, load and fault tests need what a person's browser talks to: a separate server
process speaking HTTP and WebSockets, not the in-process test client. The server reads the same
test settings (``tests.settings``) with ``DATABASE_URL`` pointing at the test database that
pytest-django created, so rows a ``django_db(transaction=True)`` test commits are visible to it.
E-mails go to a file backend in a temporary folder, read back with :meth:`LiveServer.mails`.

The subprocess (rather than a thread) keeps Twisted's reactor out of the pytest process and lets
fault tests stop, restart and re-point the server (another Redis) like an operator would.
"""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_for_tests() -> str:
    """``DATABASE_URL`` of the database the tests run against (pytest-django's test database)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    if connection.vendor == "postgresql":
        auth = quote(s.get("USER") or "")
        if s.get("PASSWORD"):
            auth += ":" + quote(s["PASSWORD"])
        host = s.get("HOST") or "127.0.0.1"
        port = s.get("PORT") or 5432
        return f"postgres://{auth}@{host}:{port}/{s['NAME']}"
    raise RuntimeError(f"no live server for the {connection.vendor} backend")


class LiveServer:
    """``daphne network.asgi:application`` on a free loopback port, managed by the tests."""

    def __init__(self, *, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.mail_dir = Path(tempfile.mkdtemp(prefix="bn-live-mail-"))
        self.log_path = Path(tempfile.mkstemp(prefix="bn-live-", suffix=".log")[1])
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None

    # --- lifecycle ------------------------------------------------------------------------
    def start(self, timeout: float = 30) -> LiveServer:
        environ = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        environ.update(
            DJANGO_SETTINGS_MODULE="tests.settings",
            DATABASE_URL=database_url_for_tests(),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(self.mail_dir),
            SITE_URL=self.url,
            PYTHONUNBUFFERED="1",
            **self.extra_env,
        )
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "network.asgi:application",
            ],
            cwd=ROOT,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"live server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"live server did not answer /healthz in {timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.mail_dir, ignore_errors=True)
        self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    # --- e-mail ---------------------------------------------------------------------------
    def mails(self, to: str | None = None) -> list[EmailMessage]:
        """Messages the server sent, oldest first; ``to`` keeps those addressed to one person."""
        found: list[EmailMessage] = []
        for path in sorted(self.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
            # The file backend appends messages separated by a line of 79 dashes.
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    message = email.message_from_bytes(chunk.lstrip(), policy=email.policy.default)
                    if to is None or to.lower() in (message.get("To") or "").lower():
                        found.append(message)
        return found

    def clear_mails(self) -> None:
        for path in self.mail_dir.glob("*"):
            path.unlink()

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""
