"""What the audit keeps of an exchange: secrets never, IBANs as their country and last four."""

from __future__ import annotations

import re
from typing import Any

import orjson

SECRET_KEYS = frozenset({"client_secret", "access_token", "refresh_token", "password"})
IBAN_KEYS = frozenset({"iban"})
# An IBAN anywhere in free text (an error message quoting it, say).
IBAN_TEXT = re.compile(r"\b[A-Z]{2}[0-9]{2}(?:\s?[A-Z0-9]){11,30}\b")
MAX_BODY = 20_000


def mask_iban(iban: str) -> str:
    compact = re.sub(r"\s+", "", iban)
    if len(compact) < 8:
        return "****"
    return f"{compact[:4]}{'*' * (len(compact) - 8)}{compact[-4:]}"


def mask(value: Any) -> Any:
    """A copy of a JSON value with secrets replaced and IBANs masked, at any depth."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            lowered = str(key).lower()
            if lowered in SECRET_KEYS:
                out[key] = "***"
            elif lowered in IBAN_KEYS and isinstance(item, str):
                out[key] = mask_iban(item)
            else:
                out[key] = mask(item)
        return out
    if isinstance(value, list):
        return [mask(item) for item in value]
    if isinstance(value, str):
        return IBAN_TEXT.sub(lambda m: mask_iban(m.group(0)), value)
    return value


def masked_text(value: Any) -> str:
    """The masked value as JSON text, cut to what the audit row keeps."""
    text = orjson.dumps(mask(value)).decode() if not isinstance(value, str) else mask(value)
    return str(text)[:MAX_BODY]
