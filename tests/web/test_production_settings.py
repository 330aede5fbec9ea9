"""Production settings: safe values accepted, each unsafe one refused by name."""

from __future__ import annotations

import pytest

from services.config import ConfigError, Settings
from tests.web.factories import APP_ORIGIN, SAFE

# --- Production settings ----------------------------------------------------------------


def test_production_settings_accept_safe_values():
    settings = Settings(**SAFE).validate()  # type: ignore[arg-type]
    assert settings.production


@pytest.mark.parametrize(
    ("change", "mentions"),
    [
        ({"secret_key": ""}, "SECRET_KEY"),
        ({"secret_key": "x" * 31}, "SECRET_KEY"),
        ({"secret_key": "changeme"}, "SECRET_KEY"),
        ({"allowed_origins": (APP_ORIGIN, "http://app.passage.example")}, "ALLOWED_ORIGINS"),
        ({"public_url": "http://passage.example"}, "PUBLIC_URL"),
        ({"argon2_memory_kib": 19455}, "argon2"),
        ({"argon2_time_cost": 1}, "argon2"),
        ({"introspection": "everyone"}, "INTROSPECTION"),
        ({"environment": "prod"}, "ENVIRONMENT"),
    ],
)
def test_production_settings_refuse_unsafe_values(change, mentions):
    with pytest.raises(ConfigError, match=mentions):
        Settings(**{**SAFE, **change}).validate()  # type: ignore[arg-type]


def test_development_accepts_the_test_costs(settings):
    assert settings.validate() is settings
    assert not settings.production
