"""The client's address behind trusted reverse proxies, from X-Forwarded-For."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

Network = IPv4Network | IPv6Network


def _parse(text: str) -> IPv4Address | IPv6Address | None:
    """An address as peers and proxies write it (`1.2.3.4`, `1.2.3.4:80`, `[::1]:80`), or None."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        found = ip_address(text)
    except ValueError:
        return None
    if isinstance(found, IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped
    return found


def _trusted(address: IPv4Address | IPv6Address | None, proxies: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in proxies)


def forwarded_client(peer: str, forwarded_for: Sequence[str], proxies: Sequence[Network]) -> str:
    """The client's address: the direct `peer`, unless it is a trusted proxy; then the
    right-most address of X-Forwarded-For that is not itself a trusted proxy. Only the
    proxies' own entries are believed: what a client writes in the header sits to their left."""
    address = _parse(peer)
    if not _trusted(address, proxies):
        return str(address) if address is not None else peer
    hops = [hop for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        previous, address = address, _parse(hop)
        if address is None:  # garbage from a misconfigured chain: the last proxy that spoke
            return str(previous)
        if not _trusted(address, proxies):
            return str(address)
    return str(address)  # only proxies all the way: the furthest of them
