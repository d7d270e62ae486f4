"""``make run HOST=… PORT=…`` serves with SITE_URL (links in e-mails, iCal, OCDS) pointing at that
address and with that host allowed, unless SITE_URL is set explicitly."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_env(*args: str, **env: str) -> dict[str, str]:
    if shutil.which("make") is None:
        pytest.fail("make is needed to run the project (README: set-up)")
    clean = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "ALLOWED_HOSTS", "DEBUG"}}
    out = subprocess.run(
        ["make", "--no-print-directory", "run-env", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def test_site_url_follows_host_and_port():
    env = run_env("HOST=buyers.example", "PORT=9000")
    assert env["SITE_URL"] == "http://buyers.example:9000"
    assert "buyers.example" in env["ALLOWED_HOSTS"].split(",")


def test_defaults_and_explicit_site_url_wins():
    assert run_env()["SITE_URL"] == "http://127.0.0.1:8000"
    assert (
        run_env("HOST=0.0.0.0", SITE_URL="https://buyers.example.eu")["SITE_URL"]
        == "https://buyers.example.eu"
    )
