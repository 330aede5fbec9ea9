"""The account: identity, contact preferences, sessions and sign-in history."""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import Q

from models.accounts.people import Account
from models.accounts.security import KnownDevice, OneTimeToken, SecurityEvent, Session
from models.enums import AccountStatus
from models.events import Event
from models.households.contact import ContactPreference, Digest, DigestItem, QuietHours
from models.notifications import OutboundMessage
from models.privacy import EmailChange
from models.visits.visits import CalendarFeed
from resolvers.privacy.registry import ExportPart, Household, iso, register

ERASED_NAME = "Compte supprimé"


def erased_email(account_id: int) -> str:
    # Unique, and in a reserved top-level domain (RFC 2606): nothing can ever be sent to it.
    return f"erased-{account_id}@erased.invalid"


async def export(h: Household) -> ExportPart:
    account = await Account.get(id=h.account_id)
    preferences = await ContactPreference.filter(account_id=h.account_id).values(
        "topic", "email", "sms", "frequency"
    )
    sessions = await Session.filter(account_id=h.account_id).values(
        "created_at", "last_seen_at", "expires_at", "revoked_at", "device", "network"
    )
    security = await SecurityEvent.filter(account_id=h.account_id).values(
        "kind", "created_at", "device", "network"
    )
    return ExportPart(
        {
            "email": account.email,
            "firstName": account.first_name,
            "lastName": account.last_name,
            "phone": account.phone,
            "role": str(account.role),
            "emailVerifiedAt": iso(account.email_verified_at),
            "passwordChangedAt": iso(account.password_changed_at),
            "createdAt": iso(account.created_at),
            "contactPreferences": preferences,
            "sessions": sessions,
            "securityEvents": security,
        }
    )


async def erase(h: Household, now: datetime) -> list[Event]:
    account = await Account.get(id=h.account_id)
    # What was e-mailed or texted to them: copies of their data under their address.
    recipients = [value for value in (account.email, account.phone) if value]
    await OutboundMessage.filter(Q(account_id=h.account_id) | Q(recipient__in=recipients)).delete()
    await Account.filter(id=h.account_id).update(
        email=erased_email(h.account_id),
        first_name=ERASED_NAME,
        last_name="",
        phone="",
        password_hash="!erased",
        status=AccountStatus.CLOSED,
        email_verified_at=None,
    )
    await Session.filter(account_id=h.account_id, revoked_at=None).update(revoked_at=now)
    await Session.filter(account_id=h.account_id).update(device="", network="")
    for model in (OneTimeToken, KnownDevice, EmailChange, ContactPreference, DigestItem, Digest):
        await model.filter(account_id=h.account_id).delete()
    await CalendarFeed.filter(account_id=h.account_id).delete()
    await QuietHours.filter(account_id=h.account_id).delete()
    await SecurityEvent.filter(account_id=h.account_id).update(device="", network="")
    return []


register("account", export=export, erase=erase)
