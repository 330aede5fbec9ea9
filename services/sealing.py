"""Household secrets (key box and door codes) encrypted at rest with Fernet.

The key is `DATA_ENCRYPTION_KEY` (a Fernet key) when set, otherwise derived from
`SECRET_KEY` with HKDF-SHA256 under a label of its own, so the session digests and
these ciphertexts never share a key. Plain values are never logged.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

LABEL = b"passage/household-secrets/v1"


class SealError(ValueError):
    """A ciphertext that this key did not write (or that was altered)."""


def derive_key(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"passage", info=LABEL)
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


def check_key(key: str) -> None:
    """Raises ValueError unless `key` is a Fernet key (32 bytes, url-safe base64)."""
    Fernet(key.encode())


class Sealer:
    def __init__(self, encryption_key: str, secret_key: str) -> None:
        key = encryption_key.encode() if encryption_key else derive_key(secret_key)
        self._fernet = Fernet(key)

    def __repr__(self) -> str:
        return "Sealer(<key hidden>)"

    def seal(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def open(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise SealError("ciphertext not readable with this key") from exc
