"""Which addresses the feed fetcher may reach on behalf of a feed's content (SSRF protection).

A feed list is the operator's: its hosts are trusted, wherever they are. The links inside a feed,
and the redirects of any answer, are anybody's: they may only lead to public addresses, or a feed
could make newsstream read a cloud metadata service (169.254.169.254), an admin page on loopback or
a host on the internal network and publish what it found."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast: not private, loopback, link-local, multicast, reserved or shared."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    return address.is_global and not address.is_multicast


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host name resolves to (the literal itself for an IP address)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


async def non_public_address(host: str, port: int) -> IPAddress | None:
    """The first address of `host` that is not public, if any (None: all public). A name that does
    not resolve raises OSError: what cannot be checked is not fetched."""
    addresses = await resolve(host, port)
    return next((address for address in addresses if not is_public(address)), None)
