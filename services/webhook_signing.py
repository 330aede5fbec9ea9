"""Signatures of webhook deliveries, the Standard Webhooks scheme (standardwebhooks.com).

The signed content is `"{id}.{timestamp}.{body}"`; the signature is base64 of its
HMAC-SHA256 under the endpoint's secret, sent as `webhook-signature: v1,<base64>`.
A secret is `whsec_` + base64 of 32 random bytes (the prefix lets secret scanners
recognise one); the key is those bytes. While a rotated secret is still honoured,
the header carries one signature per secret, separated by spaces, as the scheme
allows, so a partner can switch at its own pace.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

PREFIX = "whsec_"
KEY_BYTES = 32


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def key_of(secret: str) -> bytes:
    if not secret.startswith(PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    return base64.b64decode(secret[len(PREFIX) :])


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """One `v1,<base64>` signature of a delivery."""
    content = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key_of(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(
    secrets_in_use: Sequence[str], message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three headers of a delivery, signed with every secret still honoured."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(secret, message_id, timestamp, body) for secret in secrets_in_use
        ),
    }
