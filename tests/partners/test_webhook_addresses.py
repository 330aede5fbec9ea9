"""Webhooks of partner applications (issue 18): the addresses they may be sent to, checked
when subscribing and again before each request, over HTTPS with the name verified."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.config import Settings
from services.webhook_http import WebhookClient
from tests.client import Api
from tests.partners.factories import (
    partner,
    subscribe,
)
from tests.partners.webhook_receiver import Receiver


async def test_private_reserved_and_malformed_addresses_are_refused(
    hooks: Api, settings: Settings, start, receiver: Receiver
) -> None:
    team = await partner(hooks, settings)
    refused = {
        "http://10.1.2.3/hook": "URL_NOT_ALLOWED",
        "http://192.168.1.10/hook": "URL_NOT_ALLOWED",
        "http://169.254.169.254/latest/meta-data": "URL_NOT_ALLOWED",
        "http://[fe80::1]/hook": "URL_NOT_ALLOWED",
        "http://[::ffff:10.0.0.1]/hook": "URL_NOT_ALLOWED",
        "http://0.0.0.0:8080/hook": "URL_NOT_ALLOWED",
        "http://224.0.0.1/hook": "URL_NOT_ALLOWED",
        "http://240.0.0.1/hook": "URL_NOT_ALLOWED",
        "http://100.64.0.1/hook": "URL_NOT_ALLOWED",
        "ftp://example.com/hook": "INVALID_URL",
        "http://user:pw@example.com/hook": "INVALID_URL",
        "https://example.com/" + "a" * 2048: "INVALID_URL",
    }
    for url, code in refused.items():
        payload = await subscribe(hooks, team, url)
        assert payload["endpoint"] is None and payload["secret"] is None, url
        assert [e["code"] for e in payload["userErrors"]] == [code], url
    duplicate = await subscribe(hooks, team, receiver.url, ["LATE", "LATE"])
    assert duplicate["userErrors"][0]["code"] == "INVALID"
    for _ in range(3):  # this server allows 3 endpoints per application
        assert (await subscribe(hooks, team, receiver.url))["userErrors"] == []
    assert (await subscribe(hooks, team, receiver.url))["userErrors"][0]["code"] == "TOO_MANY"

    # Without the development setting, loopback is refused too, by address or by name.
    strict = await start(settings.with_(webhook_concurrency=0, webhook_allow_loopback=False))
    try:
        for url in (receiver.url, f"http://localhost:{receiver.port}/", "http://[::1]/"):
            payload = await subscribe(strict.api, team, url)
            assert payload["userErrors"][0]["code"] == "URL_NOT_ALLOWED", url
    finally:
        await strict.stop()


async def test_production_takes_https_endpoints_only(hooks: Api, settings: Settings, start) -> None:
    team = await partner(hooks, settings)
    production = await start(
        settings.with_(environment="production", webhook_concurrency=0, introspection="off")
    )
    try:
        payload = await subscribe(production.api, team, "http://93.184.215.14/hook")
        assert payload["userErrors"][0]["code"] == "INVALID_URL"
        assert payload["userErrors"][0]["field"] == ["url"]
    finally:
        await production.stop()


async def test_the_delivery_client_checks_the_address_again_before_each_request(
    receiver: Receiver,
) -> None:
    strict = WebhookClient(5, allow_loopback=False)
    lenient = WebhookClient(5, allow_loopback=True)
    try:
        for url in (receiver.url, f"http://localhost:{receiver.port}/hooks"):
            outcome = await strict.post(url, {}, b"{}")
            assert outcome.status_code is None and outcome.error.startswith("refused"), url
        assert receiver.received == []
        assert (await lenient.post(receiver.url, {}, b"{}")).status_code == 200
        receiver.answer = lambda index: 302  # a redirect is an answer, never followed
        assert (await lenient.post(receiver.url, {}, b"{}")).ok is False
        assert len(receiver.received) == 2
    finally:
        await strict.aclose()
        await lenient.aclose()


def _tls_for_localhost(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server, client) contexts: a self-signed certificate for `localhost`, trusted."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cafile=str(cert_path))
    return server, client


async def test_https_goes_to_the_checked_address_with_the_name_verified(tmp_path: Path) -> None:
    server_tls, client_tls = _tls_for_localhost(tmp_path)
    receiver = await Receiver(tls=server_tls).start()
    client = WebhookClient(5, allow_loopback=True, verify=client_tls)
    try:
        outcome = await client.post(receiver.url, {"webhook-id": "x"}, b"{}")
        assert outcome.status_code == 200, outcome
        assert receiver.received[0].headers["host"] == f"localhost:{receiver.port}"
        # The certificate names localhost: the same address under another name is refused.
        by_address = receiver.url.replace("localhost", "127.0.0.1")
        outcome = await client.post(by_address, {}, b"{}")
        assert outcome.status_code is None and outcome.error, outcome
        assert len(receiver.received) == 1
    finally:
        await client.aclose()
        await receiver.stop()
