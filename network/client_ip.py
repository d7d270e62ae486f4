"""The client's address, also behind reverse proxies: one derivation for every rate limit and log.

Behind a proxy every request arrives from the proxy's address, so limits "per IP" become limits for
everyone at once (one person's failed log-ins lock out the whole site; 30 log-ins a minute cap it).
``X-Forwarded-For`` names the real client, but anyone can send that header, so it is believed only
hop by hop from proxies listed in ``TRUSTED_PROXIES`` (addresses or networks, e.g.
``127.0.0.1,10.0.0.0/8``): starting at the socket's peer and walking the header right to left, the
client is the first address that is not a trusted proxy. With ``TRUSTED_PROXIES`` empty (the default)
the header is ignored and the peer address is the client.

:class:`network.middleware.ClientAddressMiddleware` writes the result to ``REMOTE_ADDR`` (keeping the
peer in ``BN_PEER_ADDR``), so allauth's limits, DRF throttles and our own limits all agree.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_address(peer: str, forwarded_for: str | None) -> str:
    """The client address for a request from ``peer`` carrying ``X-Forwarded-For: forwarded_for``."""
    networks = trusted_networks()

    def trusted(address) -> bool:
        return address is not None and any(address in network for network in networks)

    current = _parse(peer)
    if not networks or not trusted(current) or not forwarded_for:
        return peer
    for hop in reversed(forwarded_for.split(",")):
        address = _parse(hop)
        if address is None:
            break  # garbage from an untrusted party: stop at the last address we can vouch for
        current = address
        if not trusted(address):
            return str(address)
    return str(current) if current is not None else peer
