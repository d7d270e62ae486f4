"""Configuring an organisation's identity provider, and finding the provider for an e-mail address.

Only owners and admins of the organisation configure it (:func:`network.visibility.can_manage`;
a member gets ``PermissionDenied`` → 403). A configuration covers only domains network staff
verified for the organisation, and one domain belongs to one provider.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from members.models import Organisation
from members.sso import crypto
from members.sso.models import IdentityProvider
from network import validation, visibility

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def email_domain(email: str) -> str:
    return (email or "").rsplit("@", 1)[-1].strip().lower() if "@" in (email or "") else ""


def _require_manager(actor: Any, organisation: Organisation) -> None:
    if not visibility.can_manage(actor, organisation):
        raise PermissionDenied(
            _("Only owners and admins of %(org)s can configure its single sign-on.")
            % {"org": organisation.name}
        )


def may_configure(actor: Any, organisation: Organisation) -> bool:
    return visibility.can_manage(actor, organisation)


def _clean_issuer(issuer: str) -> str:
    issuer = (issuer or "").strip().rstrip("/")
    parts = urlsplit(issuer)
    loopback = parts.hostname in LOOPBACK_HOSTS
    if parts.scheme != "https" and not (
        parts.scheme == "http" and loopback and settings.SSO_ALLOW_HTTP_LOOPBACK
    ):
        raise ValidationError({"issuer": [_("The issuer must be an https:// URL.")]})
    if not parts.hostname or parts.query or parts.fragment:
        raise ValidationError({"issuer": [_("Enter the issuer URL exactly as the provider publishes it.")]})
    return issuer


def _clean_domains(organisation: Organisation, domains: list[str], *, exclude_pk: int | None) -> list[str]:
    cleaned = sorted({str(d).strip().lower().lstrip("@") for d in domains or [] if str(d).strip()})
    if not cleaned:
        raise ValidationError({"domains": [_("Name at least one e-mail domain.")]})
    verified = set(organisation.verified_domains or [])
    unverified = [d for d in cleaned if d not in verified]
    # Which domains staff verified, and which another provider signs in, are the network's state,
    # not the input's shape: the API answers 409 (network.validation.conflict).
    if unverified:
        raise validation.conflict(
            {
                "domains": [
                    _("%(domains)s is not a domain network staff verified for %(org)s.")
                    % {"domains": ", ".join(unverified), "org": organisation.name}
                ]
            }
        )
    taken = IdentityProvider.objects.exclude(pk=exclude_pk).filter(enabled=True)
    for other in taken:
        overlap = set(other.domains) & set(cleaned)
        if overlap:
            raise validation.conflict(
                {
                    "domains": [
                        _("%(domains)s already signs in elsewhere.") % {"domains": ", ".join(sorted(overlap))}
                    ]
                }
            )
    return cleaned


@transaction.atomic
def identity_provider_configure(
    *,
    actor: Any,
    organisation: Organisation,
    issuer: str,
    client_id: str,
    client_secret: str | None = None,
    domains: list[str],
    password_login_allowed: bool = True,
    enabled: bool = True,
    name: str = "",
) -> IdentityProvider:
    """Create or update the organisation's provider. ``client_secret`` empty or None keeps the stored one."""
    _require_manager(actor, organisation)
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    current = IdentityProvider.objects.filter(organisation=organisation).first()
    errors: dict[str, list[Any]] = {}
    try:
        issuer = _clean_issuer(issuer)
    except ValidationError as exc:
        validation.merge(errors, exc)
    try:
        domains = _clean_domains(organisation, domains, exclude_pk=current.pk if current else None)
    except ValidationError as exc:
        validation.merge(errors, exc)
    client_id = (client_id or "").strip()
    if not client_id:
        errors["client_id"] = [_("Enter the client ID the provider gave you.")]
    if not client_secret and not (current and current.has_secret):
        # Optional in the input ("leave out to keep the stored one"): refused only while none is stored.
        errors["client_secret"] = [
            validation.conflicting(_("Enter the client secret the provider gave you."))
        ]
    if errors:
        raise ValidationError(errors)
    idp = current or IdentityProvider(organisation=organisation)
    idp.name = (name or "").strip()[:100]
    idp.issuer, idp.client_id, idp.domains = issuer, client_id, domains
    idp.password_login_allowed, idp.enabled, idp.updated_by = password_login_allowed, enabled, actor
    if client_secret:
        idp.client_secret_encrypted = crypto.encrypt(client_secret)
    idp.full_clean(exclude=["client_secret_encrypted", "organisation"])
    idp.save()
    return idp


@transaction.atomic
def identity_provider_remove(*, actor: Any, organisation: Organisation) -> None:
    _require_manager(actor, organisation)
    IdentityProvider.objects.filter(organisation=organisation).delete()


def identity_provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled provider covering ``email``'s domain, if the organisation still has it verified."""
    domain = email_domain(email)
    if not domain:
        return None
    for idp in IdentityProvider.objects.filter(enabled=True).select_related("organisation"):
        if domain in idp.domains and domain in (idp.organisation.verified_domains or []):
            return idp
    return None


def identity_provider_by_provider_id(provider_id: str) -> IdentityProvider | None:
    if not provider_id.startswith("org-") or not provider_id[4:].isdigit():
        return None
    return (
        IdentityProvider.objects.filter(organisation_id=int(provider_id[4:]), enabled=True)
        .select_related("organisation")
        .first()
    )


def password_login_allowed(email: str) -> bool:
    idp = identity_provider_for_email(email)
    return idp is None or idp.password_login_allowed


def covers(idp: IdentityProvider, email: str) -> bool:
    """Whether ``idp`` may vouch for ``email``: its domain is configured *and* verified by staff."""
    domain = email_domain(email)
    return bool(domain) and domain in idp.domains and domain in (idp.organisation.verified_domains or [])
