"""What a use case needs from the running process, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from models.enums import Role
from models.partners import PartnerScope
from services.config import Settings
from services.mailer import Mailer
from services.passwords import PasswordService
from services.urssaf.client import UrssafClient
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
