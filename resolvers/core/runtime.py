"""What a use case needs from the running process, built once by the composition root
(and by the command line, the tests and the benchmarks, from the same settings)."""

from __future__ import annotations

from dataclasses import dataclass

from models.enums import Role
from models.partners import PartnerScope
from notifications.mailer import Mailer, transport_for
from notifications.transports.sms import gateway_for
from services.config import Settings
from services.passwords import PasswordService
from services.session_cache import SessionCache
from services.urssaf.client import Credentials, UrssafClient
from subscriptions.bus import Bus
from subscriptions.hub import Hub


@dataclass
class Runtime:
    settings: Settings
    passwords: PasswordService
    mailer: Mailer
    bus: Bus
    hub: Hub
    # URSSAF's API Tiers de prestation (unconfigured when URSSAF_URL is empty).
    urssaf: UrssafClient
    # Sessions read by token, kept for SESSION_CACHE_SECONDS (resolvers/accounts/sessions.py).
    sessions: SessionCache
    # Partners' API keys read by their secret, kept the same way (resolvers/partners/keys.py).
    keys: SessionCache


def build_runtime(settings: Settings) -> Runtime:
    bus = Bus(settings.broadcast_url, settings.bus_namespace)
    return Runtime(
        settings=settings,
        passwords=PasswordService(
            memory_kib=settings.argon2_memory_kib,
            time_cost=settings.argon2_time_cost,
            parallelism=settings.argon2_parallelism,
            concurrency=settings.hash_concurrency,
        ),
        mailer=Mailer(
            transport_for(settings.email_url, development=not settings.production),
            settings.email_from,
            settings.outbox_poll_seconds,
            sms=gateway_for(settings.sms_url),
            retry_base_seconds=settings.outbox_retry_base_seconds,
        ),
        bus=bus,
        hub=Hub(bus, settings.subscriber_queue_size),
        urssaf=UrssafClient(
            Credentials(
                settings.urssaf_url, settings.urssaf_client_id, settings.urssaf_client_secret
            ),
            timeout_seconds=settings.urssaf_timeout_seconds,
        ),
        sessions=SessionCache(settings.session_cache_seconds, settings.session_cache_size),
        keys=SessionCache(settings.session_cache_seconds, settings.session_cache_size),
    )


@dataclass(frozen=True)
class RequestMeta:
    """Where a request comes from; never logged or stored as is."""

    address: str
    user_agent: str


@dataclass(frozen=True)
class Viewer:
    """Who asks: a person signed in with a session, or a partner application's API key.

    A key is never a person: its `account_id` and `session_id` are 0, it reads as staff
    of its agency (ADVISOR, never ADMIN), and only the root fields its scopes allow reach
    a resolver (schema/partners/access.py).
    """

    account_id: int
    session_id: int
    role: Role
    agency_id: int | None
    email_verified: bool
    api_key_id: int | None = None
    application_id: int | None = None
    scopes: frozenset[PartnerScope] = frozenset()
    # The account's client or worker record, read with the session (lookups.client_id_for).
    client_id: int | None = None
    worker_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff

    @property
    def is_partner(self) -> bool:
        return self.api_key_id is not None

    @property
    def person_id(self) -> int | None:
        """The account acting, for "done by" columns: None when a partner key acts."""
        return None if self.is_partner else self.account_id
