"""What we keep of a client's device and address: enough to recognise, not to track."""

from __future__ import annotations

import ipaddress

from ua_parser import parse as parse_user_agent


def network_of(address: str) -> str:
    """The /24 (IPv4) or /48 (IPv6) network: shown to the user, never the full address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "inconnu"
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def describe_device(user_agent: str) -> str:
    """ "Firefox sur Linux"-style label from the User-Agent header."""
    if not user_agent:
        return "Appareil inconnu"
    result = parse_user_agent(user_agent[:512])
    browser = result.user_agent.family if result.user_agent else "Other"
    system = result.os.family if result.os else "Other"
    if browser == "Other":
        browser = user_agent.split("/", 1)[0][:40] or "Navigateur"
    if system == "Other":
        system = "système inconnu"
    return f"{browser} sur {system}"[:120]
