"""Opaque random tokens; only their digests are stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from services import clock


def new_token(prefix: str) -> str:
    # 32 random bytes = 256 bits; the prefix makes leaked tokens easy to recognise.
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_digest(secret_key: str, value: str) -> str:
    """HMAC for values of low entropy (addresses, devices) that must not be reversible."""
    return hmac.new(secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()


def sign_link(secret_key: str, path: str, lifetime_seconds: int, now: float | None = None) -> str:
    """`path?expires=…&signature=…`: a link that works for anyone holding it, for a while.

    The signed message starts with "link|" so no other digest made with the key can
    pass for a link signature. `now` (seconds since the epoch) is by default the code
    base's one clock (services/clock.py), which `check_link` reads too.
    """
    expires = int((now if now is not None else _now()) + lifetime_seconds)
    signature = keyed_digest(secret_key, f"link|{path}|{expires}")
    return f"{path}?expires={expires}&signature={signature}"


def check_link(
    secret_key: str, path: str, expires: str, signature: str, now: float | None = None
) -> bool:
    """The signature is ours and the link has not expired (constant-time comparison)."""
    if not expires.isdigit() or len(expires) > 12 or len(signature) != 64:
        return False
    expected = keyed_digest(secret_key, f"link|{path}|{expires}")
    if not hmac.compare_digest(expected, signature):
        return False
    return int(expires) >= (now if now is not None else _now())


def _now() -> float:
    return clock.utcnow().timestamp()
