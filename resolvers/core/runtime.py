"""What a use case needs from the running process, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from models.enums import Role
from notifications.mailer import Mailer
from services.config import Settings
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
    account_id: int
    session_id: int
    role: Role
    agency_id: int | None
    email_verified: bool

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff
