"""Settings of a production server, for the tests that start one beside the session's."""

from __future__ import annotations

from typing import Any

from services.config import Settings
from tests.factories import SECRET

APP_ORIGIN = "https://app.passage.example"


def production(settings: Settings, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "production",
        "introspection": "authenticated",
        "public_url": "https://passage.example",
        "argon2_memory_kib": 19456,
        "argon2_time_cost": 2,
        "allowed_origins": (APP_ORIGIN,),
    }
    return settings.with_(**{**values, **changes}).validate()


def code_of(result: dict[str, Any]) -> str:
    assert result.get("errors"), result
    return str(result["errors"][0].get("extensions", {}).get("code"))


SAFE = {
    "environment": "production",
    "secret_key": SECRET,
    "public_url": "https://passage.example",
    "allowed_origins": (APP_ORIGIN,),
    "argon2_memory_kib": 19456,
    "argon2_time_cost": 2,
}
