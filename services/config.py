"""Settings read once from the environment (and an optional `.env`).

`Settings` says what can be set and `validate()` what is safe; services/environment.py
reads the variables, one reader per area (server, accounts, request limits, loops…).
Every setting has a development default so `make run` works on a bare machine;
`Settings.validate()` refuses the defaults that would be unsafe in production.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from services import environment
from services.environment import ConfigError as ConfigError  # callers catch it from here
from services.sealing import check_key

WEAK_SECRETS = {"", "changeme", "secret", "dev", "development", "insecure"}
MIN_SECRET_LENGTH = 32
# OWASP's minimum for argon2id; production may go higher, never lower.
MIN_ARGON2_MEMORY_KIB = 19 * 1024
MIN_ARGON2_TIME_COST = 2
LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}
# The SMS transports notifications/transports/sms.py knows.
SMS_SCHEMES = frozenset({"console", "http", "https"})
PERSISTED_MODES = ("open", "anonymous-only", "only")


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    database_url: str = "sqlite://var/passage.sqlite3"
    broadcast_url: str = "memory://"
    bus_namespace: str = "passage"
    email_url: str = "console://"
    email_from: str = "Passage <no-reply@passage.localhost>"
    sms_url: str = "console://"
    secret_key: str = field(default="", repr=False)
    # Fernet key for household secrets (access codes); derived from SECRET_KEY when empty.
    data_encryption_key: str = field(default="", repr=False)
    public_url: str = "http://127.0.0.1:8000"
    allowed_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ()
    introspection: str = "public"  # public | authenticated | off
    log_level: str = "INFO"
    # Password hashing (argon2id). Tests lower the cost; production refuses to.
    argon2_memory_kib: int = 19 * 1024
    argon2_time_cost: int = 2
    argon2_parallelism: int = 1
    hash_concurrency: int = 2
    # Sessions.
    session_idle_minutes: int = 60 * 24 * 7
    session_absolute_days: int = 30
    # How long a process keeps a session read by its token (services/session_cache.py); 0: off.
    session_cache_seconds: float = 1.0
    session_cache_size: int = 10_000
    # Throttling of failed logins, counted in the database.
    login_window_minutes: int = 15
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 30
    # Sign-ups allowed per e-mail address and per network address in the same window.
    signup_max_per_email: int = 3
    signup_max_per_address: int = 20
    verification_resend_per_hour: int = 3
    reset_requests_per_hour: int = 3
    # Endpoint limits.
    max_body_bytes: int = 256 * 1024
    max_ws_message_bytes: int = 64 * 1024
    max_query_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_operations: int = 5
    max_query_cost: int = 5000
    # Validation budget: pairs of fields sharing a response name, directives
    # (schema/engine/budget.py).
    max_field_pairs: int = 200
    max_directives: int = 20
    max_subscriptions_per_connection: int = 10
    # Rate limits by cost (schema/engine/throttle.py): a bucket of points per API key, per session
    # and per anonymous network, refilled every second; in Redis or the database.
    cost_limits: bool = True
    cost_bucket_api_key: float = 10_000.0
    cost_restore_api_key: float = 200.0
    cost_bucket_session: float = 5_000.0
    cost_restore_session: float = 100.0
    cost_bucket_anonymous: float = 1_000.0
    cost_restore_anonymous: float = 20.0
    # Persisted documents (schema/engine/persisted.py): `open` runs any document, `anonymous-only`
    # only registered ones for anonymous callers, `only` for everyone. Automatic
    # registration (a document sent with its hash) only when switched on.
    persisted_documents: str = "open"
    automatic_persisted_queries: bool = False
    persisted_cache_size: int = 1000
    ws_init_timeout_seconds: float = 5.0
    # Root lists read straight from rows to JSON (schema/engine/planner.py); off: graphql-core only.
    planned_queries: bool = True
    # How often each process closes the websockets of sessions that expired while open.
    session_sweep_seconds: float = 30.0
    # Background loops.
    outbox_poll_seconds: float = 5.0
    # A failed e-mail or SMS is retried after this delay, doubled at each attempt (at most
    # an hour apart, 8 attempts in all). Tests lower it to see a retry quickly.
    outbox_retry_base_seconds: float = 5.0
    lateness_poll_seconds: float = 30.0
    # A visit is late when nobody has checked in this long after its start.
    late_after_minutes: int = 15
    event_relay_seconds: float = 2.0
    # Weekly plans keep this many weeks of visits materialised; the loop runs hourly.
    plan_horizon_weeks: int = 4
    plan_poll_seconds: float = 3600.0
    subscriber_queue_size: int = 256
    # Lifetime of the signed links to invoices, statements and certificates (pdfUrl, csvUrl).
    document_link_seconds: int = 600
    # Largest payslip PDF staff may attach (sent base64 in GraphQL: keep under MAX_BODY_BYTES).
    payslip_max_bytes: int = 150_000
    # Messages: reply promise in working hours, premium promise, sending rate per account,
    # overdue loop, attachments (size of one file, lifetime of a download link).
    message_reply_hours: float = 24.0
    message_premium_reply_hours: float = 8.0
    message_sends_per_minute: int = 30
    message_overdue_poll_seconds: float = 60.0
    message_attachment_max_bytes: int = 150_000
    attachment_link_seconds: int = 300
    # How often each process looks for digests whose period is over.
    digest_poll_seconds: float = 300.0
    # Webhooks (docs/webhooks.md): the timeout of each outbound request, loopback targets
    # (development and tests only), the retry schedule (first delay, doubled with jitter, at
    # most the cap) and the failure window after which an endpoint is disabled, the loop's
    # pace and how many endpoints one process serves at once (0: none), limits, and how long
    # a rotated secret still signs.
    webhook_timeout_seconds: float = 10.0
    webhook_allow_loopback: bool = False
    webhook_retry_base_seconds: float = 5.0
    webhook_retry_max_seconds: float = 3600.0
    webhook_failure_window_seconds: float = 86_400.0
    webhook_poll_seconds: float = 1.0
    webhook_concurrency: int = 16
    webhook_max_endpoints: int = 10
    webhook_secret_overlap_hours: float = 24.0
    # URSSAF exchange (immediate advance): the API Tiers de prestation's base URL (empty:
    # no exchange), the agency's OAuth2 credentials, and the pace of the two loops.
    urssaf_url: str = ""
    urssaf_client_id: str = ""
    urssaf_client_secret: str = field(default="", repr=False)
    urssaf_timeout_seconds: float = 10.0
    urssaf_send_seconds: float = 30.0
    urssaf_retry_base_seconds: float = 60.0
    urssaf_poll_seconds: float = 300.0
    urssaf_refresh_seconds: float = 3600.0
    # How often each process looks for tax certificates to publish (January to 31 March)
    # or to correct.
    certificate_poll_seconds: float = 3600.0
    # Personal data rights and retention (docs/privacy.md). FRONTEND_URL: where the pages
    # behind e-mailed links live when the agency serves its own; empty: Passage's own.
    frontend_url: str = ""
    deletion_grace_days: int = 30
    export_link_seconds: int = 300
    export_keep_hours: int = 48
    export_poll_seconds: float = 5.0
    retention_poll_seconds: float = 3600.0
    checkin_position_days: int = 61
    inactive_household_days: int = 3 * 365
    inactivity_notice_days: int = 30
    legal_archive_years: int = 10
    security_log_days: int = 365
    privacy_audit_days: int = 5 * 365
    # Partner API keys (docs/partners.md): the longest life a key may be issued with,
    # and the life it gets when none is asked for.
    partner_key_max_days: int = 365

    @property
    def link_base(self) -> str:
        """Where the links in e-mails point: the agency's own front end, else Passage's."""
        return self.frontend_url or self.public_url

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def database_engine(self) -> str:
        scheme = urlsplit(self.database_url).scheme
        return "postgres" if scheme in {"postgres", "postgresql", "asyncpg"} else scheme

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    def validate(self) -> Settings:
        if self.environment not in {"development", "production"}:
            raise ConfigError("ENVIRONMENT must be 'development' or 'production'")
        if self.introspection not in {"public", "authenticated", "off"}:
            raise ConfigError("INTROSPECTION must be 'public', 'authenticated' or 'off'")
        if self.session_sweep_seconds <= 0:
            raise ConfigError("SESSION_SWEEP_SECONDS must be positive")
        if not 0 <= self.session_cache_seconds <= 60:
            raise ConfigError("SESSION_CACHE_SECONDS must be between 0 and 60")
        if not 1 <= self.session_cache_size <= 1_000_000:
            raise ConfigError("SESSION_CACHE_SIZE must be between 1 and 1000000")
        if self.lateness_poll_seconds <= 0 or self.event_relay_seconds <= 0:
            raise ConfigError("LATENESS_POLL_SECONDS and EVENT_RELAY_SECONDS must be positive")
        if self.digest_poll_seconds <= 0:
            raise ConfigError("DIGEST_POLL_SECONDS must be positive")
        if self.certificate_poll_seconds <= 0:
            raise ConfigError("CERTIFICATE_POLL_SECONDS must be positive")
        if self.subscriber_queue_size < 1:
            raise ConfigError("SUBSCRIBER_QUEUE_SIZE must be at least 1")
        if not 10 <= self.document_link_seconds <= 86_400:
            raise ConfigError("DOCUMENT_LINK_SECONDS must be between 10 and 86400")
        if not 1_000 <= self.payslip_max_bytes <= 50_000_000:
            raise ConfigError("PAYSLIP_MAX_BYTES must be between 1000 and 50000000")
        if self.outbox_retry_base_seconds <= 0:
            raise ConfigError("OUTBOX_RETRY_BASE_SECONDS must be positive")
        if not 0 < self.message_premium_reply_hours <= self.message_reply_hours <= 24 * 30:
            raise ConfigError(
                "MESSAGE_PREMIUM_REPLY_HOURS must be positive and at most MESSAGE_REPLY_HOURS "
                "(itself at most 720)"
            )
        if self.message_sends_per_minute < 1 or self.message_overdue_poll_seconds <= 0:
            raise ConfigError(
                "MESSAGE_SENDS_PER_MINUTE and MESSAGE_OVERDUE_POLL_SECONDS must be positive"
            )
        if not 1 <= self.attachment_link_seconds <= 3600 or self.message_attachment_max_bytes < 1:
            raise ConfigError(
                "ATTACHMENT_LINK_SECONDS must be 1 to 3600, MESSAGE_ATTACHMENT_MAX_BYTES positive"
            )
        if not 1 <= self.partner_key_max_days <= 3650:
            raise ConfigError("PARTNER_KEY_MAX_DAYS must be between 1 and 3650")
        self._validate_retention()
        self._validate_limits()
        self._validate_webhooks()
        self._validate_sms_url()
        self._validate_urssaf()
        if self.data_encryption_key:
            try:
                check_key(self.data_encryption_key)
            except ValueError:
                raise ConfigError(
                    "DATA_ENCRYPTION_KEY must be a Fernet key (32 bytes, url-safe base64)"
                ) from None
        if not self.production:
            return self
        if len(self.secret_key) < MIN_SECRET_LENGTH or self.secret_key.lower() in WEAK_SECRETS:
            raise ConfigError(
                f"SECRET_KEY must be set to a random value of at least {MIN_SECRET_LENGTH} "
                "characters in production (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`)"
            )
        if (
            self.argon2_memory_kib < MIN_ARGON2_MEMORY_KIB
            or self.argon2_time_cost < MIN_ARGON2_TIME_COST
        ):
            raise ConfigError("argon2 cost below m=19 MiB, t=2 is refused in production")
        insecure = [o for o in self.allowed_origins if not o.startswith("https://")]
        if insecure:
            raise ConfigError(f"ALLOWED_ORIGINS must be https:// in production: {insecure}")
        if not self.public_url.startswith("https://"):
            raise ConfigError("PUBLIC_URL must be https:// in production")
        sms = urlsplit(self.sms_url)
        if sms.scheme == "http" and sms.hostname not in LOOPBACK_HOSTS:
            # The provider's token and the clients' numbers would cross the network in clear.
            raise ConfigError("SMS_URL must be https:// in production (or http:// on loopback)")
        return self

    def _validate_retention(self) -> None:
        if not 0 <= self.deletion_grace_days <= 90:
            raise ConfigError("DELETION_GRACE_DAYS must be between 0 and 90")
        if not 10 <= self.export_link_seconds <= 3600 or self.export_keep_hours < 1:
            raise ConfigError("EXPORT_LINK_SECONDS must be 10 to 3600, EXPORT_KEEP_HOURS >= 1")
        if self.export_poll_seconds <= 0 or self.retention_poll_seconds <= 0:
            raise ConfigError("EXPORT_POLL_SECONDS and RETENTION_POLL_SECONDS must be positive")
        periods = (
            self.checkin_position_days,
            self.inactive_household_days,
            self.inactivity_notice_days,
            self.legal_archive_years,
            self.security_log_days,
            self.privacy_audit_days,
        )
        if min(periods) < 1:
            raise ConfigError("Retention periods must be at least 1")
        if self.frontend_url and not self.frontend_url.startswith(("https://", "http://")):
            raise ConfigError("FRONTEND_URL must be an http(s):// address")

    def _validate_limits(self) -> None:
        buckets = (
            self.cost_bucket_api_key,
            self.cost_bucket_session,
            self.cost_bucket_anonymous,
        )
        restores = (
            self.cost_restore_api_key,
            self.cost_restore_session,
            self.cost_restore_anonymous,
        )
        if min(buckets) < 1 or min(restores) <= 0:
            raise ConfigError("COST_BUCKET_* must be at least 1 and COST_RESTORE_* positive")
        if self.persisted_documents not in PERSISTED_MODES:
            raise ConfigError("PERSISTED_DOCUMENTS must be 'open', 'anonymous-only' or 'only'")
        if not 1 <= self.persisted_cache_size <= 100_000:
            raise ConfigError("PERSISTED_CACHE_SIZE must be between 1 and 100000")

    def _validate_webhooks(self) -> None:
        if not 0 < self.webhook_timeout_seconds <= 60:
            raise ConfigError("WEBHOOK_TIMEOUT_SECONDS must be above 0 and at most 60")
        if not 0 < self.webhook_retry_base_seconds <= self.webhook_retry_max_seconds:
            raise ConfigError(
                "WEBHOOK_RETRY_BASE_SECONDS must be positive and at most WEBHOOK_RETRY_MAX_SECONDS"
            )
        if self.webhook_failure_window_seconds <= 0 or self.webhook_poll_seconds <= 0:
            raise ConfigError(
                "WEBHOOK_FAILURE_WINDOW_SECONDS and WEBHOOK_POLL_SECONDS must be positive"
            )
        if not 0 <= self.webhook_concurrency <= 1000 or not 1 <= self.webhook_max_endpoints <= 100:
            raise ConfigError(
                "WEBHOOK_CONCURRENCY must be 0 to 1000, WEBHOOK_MAX_ENDPOINTS 1 to 100"
            )
        if not 0 <= self.webhook_secret_overlap_hours <= 24 * 30:
            raise ConfigError("WEBHOOK_SECRET_OVERLAP_HOURS must be 0 to 720")
        if self.production and self.webhook_allow_loopback:
            # A partner's URL could then reach the server's own services.
            raise ConfigError("WEBHOOK_ALLOW_LOOPBACK is refused in production")

    def _validate_urssaf(self) -> None:
        if self.urssaf_url and urlsplit(self.urssaf_url).scheme not in {"http", "https"}:
            raise ConfigError("URSSAF_URL must be an http(s) URL")
        if self.urssaf_url and not (self.urssaf_client_id and self.urssaf_client_secret):
            raise ConfigError("URSSAF_URL needs URSSAF_CLIENT_ID and URSSAF_CLIENT_SECRET")
        timings = (
            self.urssaf_timeout_seconds,
            self.urssaf_send_seconds,
            self.urssaf_retry_base_seconds,
            self.urssaf_poll_seconds,
            self.urssaf_refresh_seconds,
        )
        if min(timings) <= 0:
            raise ConfigError("URSSAF_*_SECONDS settings must be positive")
        if self.production and self.urssaf_url:
            url = urlsplit(self.urssaf_url)
            if url.scheme != "https" and url.hostname not in LOOPBACK_HOSTS:
                raise ConfigError("URSSAF_URL must be https:// in production")

    def _validate_sms_url(self) -> None:
        scheme = urlsplit(self.sms_url).scheme
        if scheme not in SMS_SCHEMES:
            raise ConfigError(
                f"SMS_URL scheme {scheme!r} is not supported ({', '.join(sorted(SMS_SCHEMES))})"
            )


def load_settings() -> Settings:
    """Read the environment; `.env` in the working directory is read first if present."""
    try:
        from dotenv import load_dotenv

        load_dotenv(override=False)
    except ImportError:  # pragma: no cover - dotenv is a declared dependency
        pass
    name = environment.name()
    production = name == "production"
    return Settings(
        environment=name,
        **environment.server(production),
        **environment.accounts(production),
        **environment.request_limits(),
        **environment.background(),
        **environment.documents_and_messages(),
        **environment.webhooks(),
        **environment.privacy(),
        **environment.urssaf(),
    ).validate()
