"""Outbound webhook requests, guarded against server-side request forgery (SSRF).

A partner chooses the URL, so a delivery must never reach what only the server can
reach: loopback, private networks, link-local (cloud metadata at 169.254.169.254),
multicast, reserved and unspecified addresses. The host is resolved once, every
address it resolves to is checked, and the connection goes to the checked address
(the name is sent as Host and as the TLS server name), so a DNS answer that changes
between check and connect (rebinding) gains nothing. No proxy from the environment
is used (it would resolve the name again), redirects are not followed, and every
request has one overall timeout. Loopback can be allowed for development and tests.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

MAX_URL_LENGTH = 2048
USER_AGENT = "Passage-Webhooks/1"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The URL or an address it resolves to is not one a webhook may reach."""


def url_problem(url: str, *, https_only: bool) -> str | None:
    """Why `url` cannot be a webhook endpoint (French, shown to the ADMIN), or None."""
    if len(url) > MAX_URL_LENGTH:
        return f"Adresse trop longue ({MAX_URL_LENGTH} caractères au plus)."
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "Adresse invalide."
    allowed = {"https"} if https_only else {"https", "http"}
    if parts.scheme not in allowed:
        return (
            "L'adresse doit commencer par https://." if https_only else "Adresse http(s) requise."
        )
    if not parts.hostname or parts.username is not None or parts.password is not None:
        return "Adresse invalide : un nom d'hôte, sans identifiants."
    if parts.fragment or (port is not None and not 0 < port < 65536):
        return "Adresse invalide."
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return "Adresse invalide."
    return None


def address_allowed(address: IPAddress, *, allow_loopback: bool) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return allow_loopback
    if (
        address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    ):
        return False
    # Anything else not globally routable (shared 100.64/10, documentation ranges...).
    return address.is_global


async def resolve(host: str, port: int, *, allow_loopback: bool) -> IPAddress:
    """The address to connect to; refused unless every address of `host` is allowed."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        found = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except OSError as exc:
            raise Refused("host not found") from exc
        found = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not found:
        raise Refused("host not found")
    for address in found:
        if not address_allowed(address, allow_loopback=allow_loopback):
            raise Refused(f"address not allowed ({_kind(address)})")
    # IPv4 first: a host with both usually serves IPv4, not always IPv6.
    return min(found, key=lambda address: address.version)


def _kind(address: IPAddress) -> str:
    for name in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
        if getattr(address, f"is_{name}"):
            return name.replace("_", "-")
    return "not global"


async def check_target(url: str, *, allow_loopback: bool) -> None:
    """Raises Refused when `url`'s host resolves to an address a webhook may not reach."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    await resolve(parts.hostname or "", port, allow_loopback=allow_loopback)


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: the HTTP status, or why there was none."""

    status_code: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookClient:
    """Connection pools for the endpoints of the process.

    Connections are pooled by address; over TLS a connection is also bound to the name
    its certificate was checked for, so https endpoints get a pool per host name (the
    most recent MAX_TLS_POOLS kept): a request for one name never rides a connection
    verified for another name that shares its address.
    """

    MAX_TLS_POOLS = 256

    def __init__(
        self, timeout_seconds: float, *, allow_loopback: bool, verify: ssl.SSLContext | bool = True
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.allow_loopback = allow_loopback
        # The system's trust store; a context of their own lets the tests trust a local CA.
        self.verify = verify
        self._http = self._pool()
        self._tls: dict[str, httpx.AsyncClient] = {}

    def _pool(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            timeout=httpx.Timeout(self.timeout_seconds),
            follow_redirects=False,
            trust_env=False,
            verify=self.verify,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )

    async def _client_for(self, scheme: str, host: str) -> httpx.AsyncClient:
        if scheme != "https":
            return self._http
        client = self._tls.pop(host, None)
        if client is None:
            client = self._pool()
            if len(self._tls) >= self.MAX_TLS_POOLS:
                oldest = next(iter(self._tls))
                await self._tls.pop(oldest).aclose()
        self._tls[host] = client  # most recently used last
        return client

    async def aclose(self) -> None:
        await self._http.aclose()
        for client in self._tls.values():
            await client.aclose()
        self._tls.clear()

    async def post(self, url: str, headers: dict[str, str], body: bytes) -> Outcome:
        """POSTs `body` to `url` at a checked address, within the timeout; never raises
        for what the endpoint or the network does."""
        try:
            async with asyncio.timeout(self.timeout_seconds):
                return await self._post(url, headers, body)
        except Refused as exc:
            return Outcome(None, f"refused: {exc}")
        except TimeoutError:
            return Outcome(None, "timeout")
        except httpx.HTTPError as exc:
            return Outcome(None, type(exc).__name__)

    async def _post(self, url: str, headers: dict[str, str], body: bytes) -> Outcome:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = await resolve(host, port, allow_loopback=self.allow_loopback)
        literal = f"[{address}]" if address.version == 6 else str(address)
        pinned = urlunsplit((parts.scheme, f"{literal}:{port}", parts.path or "/", parts.query, ""))
        default_port = port == (443 if parts.scheme == "https" else 80)
        host_header = host if default_port else f"{host}:{port}"
        if ":" in host:  # an IPv6 literal keeps its brackets in Host
            host_header = f"[{host}]" if default_port else f"[{host}]:{port}"
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        http = await self._client_for(parts.scheme, host)
        request = http.build_request(
            "POST",
            pinned,
            content=body,
            headers={
                **headers,
                "host": host_header,
                "content-type": "application/json",
                "user-agent": USER_AGENT,
            },
            extensions=extensions,
        )
        # The body of the answer is never read: only its status matters.
        response = await http.send(request, stream=True)
        await response.aclose()
        return Outcome(response.status_code)
