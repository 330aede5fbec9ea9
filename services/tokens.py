"""Opaque random tokens; only their digests are stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(prefix: str) -> str:
    # 32 random bytes = 256 bits; the prefix makes leaked tokens easy to recognise.
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_digest(secret_key: str, value: str) -> str:
    """HMAC for values of low entropy (addresses, devices) that must not be reversible."""
    return hmac.new(secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()
