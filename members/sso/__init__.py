"""Single sign-on per organisation: OpenID Connect through django-allauth's ``openid_connect`` provider.

An organisation's owner or admin configures its identity provider (:class:`IdentityProvider`):
the issuer, the client id and a client secret that is stored encrypted and never shown again, the
e-mail domains it covers (a subset of the domains network staff verified for the organisation)
and whether password log-in stays allowed for those domains. Each configuration becomes one
allauth ``SocialApp`` (provider ``openid_connect``, ``provider_id`` ``org-<id>``) built on the fly
by :class:`members.sso.adapter.SocialAccountAdapter`, so nothing is copied into allauth's tables.

The provider class (:mod:`members.sso.provider`) is allauth's, hardened: the discovery document's
issuer must be the configured one, and the ID token's signature is always checked, also when it
came straight from the token endpoint (allauth skips that check by default, which the OIDC spec
allows over TLS but which would let a tampered token through a misbehaving proxy).
"""
