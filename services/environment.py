"""Settings as the environment gives them, one reader per area of services/config.py.

Each reader returns its area's fields of `Settings` by name; a value that is not of the
expected kind is a ConfigError, so the process does not start on a typo.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

VAR_DIR = Path(os.environ.get("PASSAGE_VAR_DIR", "var"))


class ConfigError(ValueError):
    """A setting is missing or unsafe; the process must not start."""


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default).strip()


def _int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def _float(name: str, default: float) -> float:
    raw = _env(name, str(default))
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


def _switch(name: str, default: bool) -> bool:
    raw = _env(name, "on" if default else "off").lower()
    if raw not in {"on", "off"}:
        raise ConfigError(f"{name} must be on or off, got {raw!r}")
    return raw == "on"


def _list(name: str, default: str = "") -> tuple[str, ...]:
    return tuple(part.strip() for part in _env(name, default).split(",") if part.strip())


def _development_secret() -> str:
    """A random key kept under var/ so development sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def name() -> str:
    """`development` or `production` (checked by `Settings.validate`)."""
    return _env("ENVIRONMENT", "development").lower()


def server(production: bool) -> dict[str, Any]:
    """Where Passage stores, publishes and sends, and how it faces the network."""
    return {
        "database_url": _env("DATABASE_URL", f"sqlite://{VAR_DIR}/passage.sqlite3"),
        "broadcast_url": _env("BROADCAST_URL", "memory://"),
        "bus_namespace": _env("BUS_NAMESPACE", "passage"),
        "email_url": _env("EMAIL_URL", "console://"),
        "email_from": _env("EMAIL_FROM", "Passage <no-reply@passage.localhost>"),
        "sms_url": _env("SMS_URL", "console://"),
        "public_url": _env("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        "allowed_origins": _list("ALLOWED_ORIGINS"),
        "trusted_proxies": _list("TRUSTED_PROXIES"),
        "introspection": _env("INTROSPECTION", "authenticated" if production else "public").lower(),
        "log_level": _env("LOG_LEVEL", "INFO").upper(),
        "planned_queries": _switch("PLANNED_QUERIES", True),
    }


def accounts(production: bool) -> dict[str, Any]:
    """Secrets, password hashing, sessions, partner keys, the throttling of logins and sign-ups."""
    secret = _env("SECRET_KEY", "")
    if not secret and not production:
        secret = _development_secret()
    return {
        "secret_key": secret,
        "data_encryption_key": _env("DATA_ENCRYPTION_KEY", ""),
        "argon2_memory_kib": _int("ARGON2_MEMORY_KIB", 19 * 1024),
        "argon2_time_cost": _int("ARGON2_TIME_COST", 2),
        "hash_concurrency": _int("HASH_CONCURRENCY", max(1, os.cpu_count() or 1)),
        "session_idle_minutes": _int("SESSION_IDLE_MINUTES", 60 * 24 * 7),
        "session_absolute_days": _int("SESSION_ABSOLUTE_DAYS", 30),
        "session_sweep_seconds": _float("SESSION_SWEEP_SECONDS", 30.0),
        "session_cache_seconds": _float("SESSION_CACHE_SECONDS", 1.0),
        "session_cache_size": _int("SESSION_CACHE_SIZE", 10_000),
        "login_window_minutes": _int("LOGIN_WINDOW_MINUTES", 15),
        "login_max_failures_per_account": _int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5),
        "login_max_failures_per_address": _int("LOGIN_MAX_FAILURES_PER_ADDRESS", 30),
        "signup_max_per_email": _int("SIGNUP_MAX_PER_EMAIL", 3),
        "signup_max_per_address": _int("SIGNUP_MAX_PER_ADDRESS", 20),
        "partner_key_max_days": _int("PARTNER_KEY_MAX_DAYS", 365),
    }


def request_limits() -> dict[str, Any]:
    """What one request or websocket may ask, and what callers may spend (schema/engine/)."""
    return {
        "max_body_bytes": _int("MAX_BODY_BYTES", 256 * 1024),
        "max_query_cost": _int("MAX_QUERY_COST", 5000),
        "max_query_depth": _int("MAX_QUERY_DEPTH", 10),
        "max_aliases": _int("MAX_ALIASES", 15),
        "max_tokens": _int("MAX_TOKENS", 2000),
        "max_operations": _int("MAX_OPERATIONS", 5),
        "max_field_pairs": _int("MAX_FIELD_PAIRS", 200),
        "max_directives": _int("MAX_DIRECTIVES", 20),
        "max_ws_message_bytes": _int("MAX_WS_MESSAGE_BYTES", 64 * 1024),
        "max_subscriptions_per_connection": _int("MAX_SUBSCRIPTIONS_PER_CONNECTION", 10),
        "cost_limits": _switch("COST_LIMITS", True),
        "cost_bucket_api_key": _float("COST_BUCKET_API_KEY", 10_000.0),
        "cost_restore_api_key": _float("COST_RESTORE_API_KEY", 200.0),
        "cost_bucket_session": _float("COST_BUCKET_SESSION", 5_000.0),
        "cost_restore_session": _float("COST_RESTORE_SESSION", 100.0),
        "cost_bucket_anonymous": _float("COST_BUCKET_ANONYMOUS", 1_000.0),
        "cost_restore_anonymous": _float("COST_RESTORE_ANONYMOUS", 20.0),
        "persisted_documents": _env("PERSISTED_DOCUMENTS", "open").lower(),
        "automatic_persisted_queries": _switch("AUTOMATIC_PERSISTED_QUERIES", False),
        "persisted_cache_size": _int("PERSISTED_CACHE_SIZE", 1000),
    }


def background() -> dict[str, Any]:
    """The pace of the scheduled loops and of live events."""
    return {
        "outbox_retry_base_seconds": _float("OUTBOX_RETRY_BASE_SECONDS", 5.0),
        "late_after_minutes": _int("LATE_AFTER_MINUTES", 15),
        "lateness_poll_seconds": _float("LATENESS_POLL_SECONDS", 30.0),
        "event_relay_seconds": _float("EVENT_RELAY_SECONDS", 2.0),
        "subscriber_queue_size": _int("SUBSCRIBER_QUEUE_SIZE", 256),
        "plan_horizon_weeks": _int("PLAN_HORIZON_WEEKS", 4),
        "digest_poll_seconds": _float("DIGEST_POLL_SECONDS", 300.0),
        "certificate_poll_seconds": _float("CERTIFICATE_POLL_SECONDS", 3600.0),
    }


def documents_and_messages() -> dict[str, Any]:
    """Signed links, attachment sizes, the reply promise and the sending rate of messages."""
    return {
        "document_link_seconds": _int("DOCUMENT_LINK_SECONDS", 600),
        "payslip_max_bytes": _int("PAYSLIP_MAX_BYTES", 150_000),
        "message_reply_hours": _float("MESSAGE_REPLY_HOURS", 24.0),
        "message_premium_reply_hours": _float("MESSAGE_PREMIUM_REPLY_HOURS", 8.0),
        "message_sends_per_minute": _int("MESSAGE_SENDS_PER_MINUTE", 30),
        "message_overdue_poll_seconds": _float("MESSAGE_OVERDUE_POLL_SECONDS", 60.0),
        "message_attachment_max_bytes": _int("MESSAGE_ATTACHMENT_MAX_BYTES", 150_000),
        "attachment_link_seconds": _int("ATTACHMENT_LINK_SECONDS", 300),
    }


def webhooks() -> dict[str, Any]:
    """Deliveries to partners' endpoints (docs/webhooks.md)."""
    return {
        "webhook_timeout_seconds": _float("WEBHOOK_TIMEOUT_SECONDS", 10.0),
        "webhook_allow_loopback": _switch("WEBHOOK_ALLOW_LOOPBACK", False),
        "webhook_retry_base_seconds": _float("WEBHOOK_RETRY_BASE_SECONDS", 5.0),
        "webhook_retry_max_seconds": _float("WEBHOOK_RETRY_MAX_SECONDS", 3600.0),
        "webhook_failure_window_seconds": _float("WEBHOOK_FAILURE_WINDOW_SECONDS", 86_400.0),
        "webhook_poll_seconds": _float("WEBHOOK_POLL_SECONDS", 1.0),
        "webhook_concurrency": _int("WEBHOOK_CONCURRENCY", 16),
        "webhook_max_endpoints": _int("WEBHOOK_MAX_ENDPOINTS", 10),
        "webhook_secret_overlap_hours": _float("WEBHOOK_SECRET_OVERLAP_HOURS", 24.0),
    }


def privacy() -> dict[str, Any]:
    """Personal data rights and retention periods (docs/privacy.md)."""
    return {
        "frontend_url": _env("FRONTEND_URL", "").rstrip("/"),
        "deletion_grace_days": _int("DELETION_GRACE_DAYS", 30),
        "export_link_seconds": _int("EXPORT_LINK_SECONDS", 300),
        "export_keep_hours": _int("EXPORT_KEEP_HOURS", 48),
        "export_poll_seconds": _float("EXPORT_POLL_SECONDS", 5.0),
        "retention_poll_seconds": _float("RETENTION_POLL_SECONDS", 3600.0),
        "checkin_position_days": _int("RETENTION_CHECKIN_POSITION_DAYS", 61),
        "inactive_household_days": _int("RETENTION_INACTIVE_HOUSEHOLD_DAYS", 3 * 365),
        "inactivity_notice_days": _int("RETENTION_INACTIVITY_NOTICE_DAYS", 30),
        "legal_archive_years": _int("RETENTION_LEGAL_ARCHIVE_YEARS", 10),
        "security_log_days": _int("RETENTION_SECURITY_LOG_DAYS", 365),
        "privacy_audit_days": _int("RETENTION_PRIVACY_AUDIT_DAYS", 5 * 365),
    }


def urssaf() -> dict[str, Any]:
    """The URSSAF exchange of the immediate advance (docs/urssaf.md)."""
    return {
        "urssaf_url": _env("URSSAF_URL", "").rstrip("/"),
        "urssaf_client_id": _env("URSSAF_CLIENT_ID", ""),
        "urssaf_client_secret": _env("URSSAF_CLIENT_SECRET", ""),
        "urssaf_timeout_seconds": _float("URSSAF_TIMEOUT_SECONDS", 10.0),
        "urssaf_send_seconds": _float("URSSAF_SEND_SECONDS", 30.0),
        "urssaf_retry_base_seconds": _float("URSSAF_RETRY_BASE_SECONDS", 60.0),
        "urssaf_poll_seconds": _float("URSSAF_POLL_SECONDS", 300.0),
        "urssaf_refresh_seconds": _float("URSSAF_REFRESH_SECONDS", 3600.0),
    }
