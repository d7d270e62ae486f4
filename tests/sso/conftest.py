"""The real OpenID Connect provider the SSO tests sign in through (started once per test run)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings

from members.sso import services
from tests import factories

PASSWORD = "provider-password-123"


@dataclass
class Provider:
    base: str
    clients: set = field(default_factory=set)

    @property
    def issuer(self) -> str:
        return f"{self.base}/o"

    def control(self, what: str, **data) -> dict:
        response = requests.post(f"{self.base}/_control/{what}", json=data, timeout=10)
        response.raise_for_status()
        return response.json()

    def user(self, email: str, name: str = "") -> None:
        self.control("user", email=email, name=name or email.split("@")[0].title(), password=PASSWORD)

    def client_for(self, client_id: str, secret: str, redirect_uris: list[str]) -> None:
        self.control("client", client_id=client_id, client_secret=secret, redirect_uris=redirect_uris)

    def sign_in(self, session: requests.Session, email: str, authorize_url: str) -> requests.Response:
        """Sign in at the provider's own log-in page (as the person would), then authorise."""
        page = session.get(f"{self.base}/login/", timeout=10)
        page.raise_for_status()
        token = session.cookies.get("idp_csrftoken")
        session.post(
            f"{self.base}/login/",
            data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.base}/login/"},
            timeout=10,
        )
        return session.get(authorize_url, allow_redirects=False, timeout=10)


@pytest.fixture(scope="session")
def identity_provider():
    root = Path(settings.BASE_DIR)
    db = tempfile.NamedTemporaryFile(prefix="idp-", suffix=".sqlite3", delete=False)  # noqa: SIM115
    db.close()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tests.sso.provider.settings", PROVIDER_DB=db.name)
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.sso.provider.serve"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the test identity provider did not start: {line!r}")
        yield Provider(base=f"http://127.0.0.1:{int(line.split()[1])}")
    finally:
        process.terminate()
        process.wait(timeout=10)
        os.unlink(db.name)


@pytest.fixture
def provider(identity_provider):
    identity_provider.control("mode")  # no faults
    yield identity_provider
    identity_provider.control("mode")


@dataclass
class SsoOrg:
    org: object
    owner: object
    idp: object
    client_id: str


@pytest.fixture
def helsinki_sso(provider, db):
    """Helsinki (verified domain hel.fi) signs staff in through the test provider; passwords refused."""
    org = factories.organisation("City of Helsinki", verified_domains=["hel.fi", "edu.hel.fi"])
    owner = factories.member(org, role="owner", email="owner@hel.fi")
    client_id = f"helsinki-{org.pk}"
    idp = services.identity_provider_configure(
        actor=owner,
        organisation=org,
        issuer=provider.issuer,
        client_id=client_id,
        client_secret="s3cret-from-the-provider",
        domains=["hel.fi"],
        password_login_allowed=False,
    )
    provider.client_for(
        client_id,
        "s3cret-from-the-provider",
        [
            f"{scheme}://testserver/accounts/oidc/{idp.provider_id}/login/callback/"
            for scheme in ("http", "https")
        ],
    )
    return SsoOrg(org=org, owner=owner, idp=idp, client_id=client_id)


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sso_round_trip(
    client, provider: Provider, email: str, *, start_email: str | None = None, before_callback=None
):
    """Start at the log-in page's SSO form, sign in at the provider, come back to the callback."""
    started = client.post("/accounts/sso/", {"email": start_email or email})
    assert started.status_code == 302, started.content[:500]
    authorize_url = started["Location"]
    assert authorize_url.startswith(provider.base)
    session = requests.Session()
    authorised = provider.sign_in(session, email, authorize_url)
    assert authorised.status_code == 302, authorised.text[:500]
    callback = authorised.headers["Location"]
    assert urlsplit(callback).path.startswith("/accounts/oidc/")
    if before_callback:
        before_callback()
    return client.get(local_path(callback))
