"""Rectification (RGPD art. 16): name, phone, e-mail and addresses, by their owner or by
staff on the household's request, each change written to the privacy audit trail.

A new e-mail address replaces the old one only once its owner followed the link sent to
it; the old address is then told. Visits planned at an edited address follow it (same
row; an address outside the agency's area is refused); those planned at a removed address
are flagged to staff, who choose another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.accounts.people import Account, Client
from models.enums import InterventionStatus, PrivacyAction, Role
from models.privacy import EmailChange, VisitAddressFlag
from models.visits.visits import Address, Intervention
from notifications import texts
from notifications.notify import email_now
from resolvers.accounts.sessions import account_changed
from resolvers.accounts.signup import agency_for_postal_code
from resolvers.core import guards
from resolvers.core.errors import Forbidden, NotFound, UserError, user_error
from resolvers.core.runtime import RequestMeta, Runtime, Viewer
from resolvers.privacy import audit
from resolvers.privacy.password_check import confirm_password
from services import identity
from services.clock import utcnow
from services.tokens import digest, new_token

EMAIL_CHANGE_TTL = timedelta(hours=24)
MAX_ADDRESSES = 10


@dataclass(frozen=True)
class PersonChange:
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class AddressData:
    label: str
    line1: str
    line2: str
    postal_code: str
    city: str


@dataclass(frozen=True)
class AccountResult:
    account: Account | None
    user_errors: list[UserError]


@dataclass(frozen=True)
class AddressResult:
    address: Address | None
    flagged_visits: int
    user_errors: list[UserError]


async def _target(viewer: Viewer | None, client_id: int | None) -> tuple[Account, Client | None]:
    """The viewer's own account, or (staff, with `client_id`) a household of their agency."""
    viewer = guards.signed_in(viewer)
    if client_id is None:
        account = await Account.get(id=viewer.account_id)
        return account, await Client.get_or_none(account_id=account.id)
    viewer = guards.staff(viewer)
    client = await Client.get_or_none(id=client_id, agency_id=viewer.agency_id, erased_at=None)
    if client is None:
        raise NotFound("Client inconnu.")
    return await Account.get(id=client.account_id), client


def _clean_person(change: PersonChange) -> tuple[dict[str, str], list[UserError]]:
    clean: dict[str, str] = {}
    errors: list[UserError] = []
    for key, field, raw in (
        ("first_name", "firstName", change.first_name),
        ("last_name", "lastName", change.last_name),
    ):
        if raw is None:
            continue
        value = identity.clean_name(raw)
        if value is None:
            errors.append(user_error(field, "Nom invalide (1 à 100 lettres).", "INVALID_NAME"))
        else:
            clean[key] = value
    if change.phone is not None:
        phone = identity.normalize_phone(change.phone)
        if phone is None:
            errors.append(user_error("phone", "Numéro de téléphone invalide.", "INVALID_PHONE"))
        else:
            clean["phone"] = phone
    return clean, errors


async def update_person(
    viewer: Viewer | None, change: PersonChange, client_id: int | None = None
) -> AccountResult:
    account, client = await _target(viewer, client_id)
    clean, errors = _clean_person(change)
    if errors:
        return AccountResult(None, errors)
    changed = [key for key, value in clean.items() if getattr(account, key) != value]
    if changed:
        async with in_transaction():
            for key in changed:
                setattr(account, key, clean[key])
            await account.save(update_fields=changed)
            await _audit(viewer, account, client, ",".join(changed))
    return AccountResult(account, [])


async def _audit(
    viewer: Viewer | None,
    account: Account,
    client: Client | None,
    detail: str,
    action: PrivacyAction = PrivacyAction.RECTIFIED,
) -> None:
    await audit.record(
        action,
        agency_id=account.agency_id,
        client_id=client.id if client else None,
        subject_account_id=account.id,
        actor_account_id=viewer.account_id if viewer else None,
        detail=detail,
    )


async def request_email_change(
    rt: Runtime, viewer: Viewer | None, new_email: str, password: str, meta: RequestMeta
) -> list[UserError]:
    viewer = guards.signed_in(viewer)
    account = await Account.get(id=viewer.account_id)
    if not await confirm_password(rt, account, password, meta):
        return [user_error("password", "Mot de passe incorrect.", "INVALID_PASSWORD")]
    email = identity.normalize_email(new_email)
    if email is None:
        return [user_error("newEmail", "Adresse e-mail invalide.", "INVALID_EMAIL")]
    if email == account.email:
        return [user_error("newEmail", "C'est déjà votre adresse.", "SAME_EMAIL")]
    now = utcnow()
    token = new_token("eml")
    async with in_transaction():
        await EmailChange.filter(account_id=account.id, used_at=None).update(used_at=now)
        await EmailChange.create(
            account_id=account.id,
            new_email=email,
            token_hash=digest(token),
            created_at=now,
            expires_at=now + EMAIL_CHANGE_TTL,
        )
        # Sent whether or not the address is taken: the answer tells an outsider nothing.
        link = f"{rt.settings.link_base}/verify-email#token={token}"
        await email_now(email, texts.privacy.email_change(account.first_name, link))
    rt.mailer.wake()
    return []


async def confirm_email_change(rt: Runtime, token: str) -> tuple[Account | None, list[UserError]]:
    invalid = [user_error("token", "Lien invalide ou expiré.", "INVALID_TOKEN")]
    now = utcnow()
    row = await EmailChange.get_or_none(token_hash=digest(token))
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None, invalid
    account = await Account.get(id=row.account_id)
    old_email = account.email
    try:
        async with in_transaction():
            if not await EmailChange.filter(id=row.id, used_at=None).update(used_at=now):
                return None, invalid
            account.email = row.new_email
            account.email_verified_at = now
            await account.save(update_fields=["email", "email_verified_at"])
            await email_now(old_email, texts.privacy.email_changed(account.first_name))
            client = await Client.get_or_none(account_id=account.id)
            await _audit(None, account, client, "email", PrivacyAction.EMAIL_CHANGED)
    except IntegrityError:
        return None, [user_error("token", "Cette adresse est déjà utilisée.", "EMAIL_TAKEN")]
    await account_changed(rt, account.id)  # its sessions now carry a verified address
    rt.mailer.wake()
    return account, []


def _clean_address(data: AddressData) -> tuple[dict[str, str], list[UserError]]:
    clean: dict[str, str] = {}
    errors: list[UserError] = []
    for key, limit, required in (
        ("label", 60, False),
        ("line1", 200, True),
        ("line2", 200, False),
        ("city", 100, True),
    ):
        raw = getattr(data, key)
        value = identity.clean_text(raw, limit) if raw.strip() else ""
        if value is None or (required and not value):
            errors.append(user_error(key, "Champ requis ou trop long.", "INVALID_ADDRESS"))
        else:
            clean[key] = value
    postal = data.postal_code.strip()
    if not identity.is_french_postal_code(postal):
        errors.append(user_error("postalCode", "Code postal invalide.", "INVALID_POSTAL_CODE"))
    clean["postal_code"] = postal
    return clean, errors


async def _household(viewer: Viewer | None, client_id: int | None) -> tuple[Account, Client]:
    account, client = await _target(viewer, client_id)
    if client is None or account.role is not Role.CLIENT:
        raise Forbidden("Réservé aux foyers clients.")
    return account, client


async def add_address(
    viewer: Viewer | None, data: AddressData, client_id: int | None = None
) -> AddressResult:
    account, client = await _household(viewer, client_id)
    clean, errors = _clean_address(data)
    if not errors:
        errors = await _served(client, clean["postal_code"])
    if await Address.filter(client_id=client.id, removed_at=None).count() >= MAX_ADDRESSES:
        errors.append(user_error(None, "Dix adresses au plus.", "TOO_MANY_ADDRESSES"))
    if errors:
        return AddressResult(None, 0, errors)
    async with in_transaction():
        address = await Address.create(
            client_id=client.id,
            label=clean["label"] or "Autre adresse",
            line1=clean["line1"],
            line2=clean["line2"],
            postal_code=clean["postal_code"],
            city=clean["city"],
        )
        await _audit(viewer, account, client, "address:add")
    return AddressResult(address, 0, [])


async def _served(client: Client, postal_code: str) -> list[UserError]:
    agency = await agency_for_postal_code(postal_code)
    if agency is None or agency.id != client.agency_id:
        return [
            user_error("postalCode", "Votre agence ne dessert pas ce code postal.", "NOT_SERVED")
        ]
    return []


async def _own_address(client: Client, address_id: int) -> Address | None:
    return await Address.get_or_none(id=address_id, client_id=client.id, removed_at=None)


async def update_address(
    viewer: Viewer | None, address_id: int, data: AddressData, client_id: int | None = None
) -> AddressResult:
    account, client = await _household(viewer, client_id)
    address = await _own_address(client, address_id)
    if address is None:
        return AddressResult(None, 0, [user_error("id", "Adresse inconnue.", "NOT_FOUND")])
    clean, errors = _clean_address(data)
    if not errors:
        errors = await _served(client, clean["postal_code"])
    if errors:
        return AddressResult(None, 0, errors)
    async with in_transaction():
        for key, value in clean.items():
            setattr(address, key, value)
        # The old position no longer locates the new address; check-ins re-learn it.
        address.latitude = address.longitude = None
        await address.save()
        await _audit(viewer, account, client, "address:edit")
    return AddressResult(address, 0, [])


async def remove_address(
    viewer: Viewer | None, address_id: int, client_id: int | None = None
) -> AddressResult:
    account, client = await _household(viewer, client_id)
    address = await _own_address(client, address_id)
    if address is None:
        return AddressResult(None, 0, [user_error("id", "Adresse inconnue.", "NOT_FOUND")])
    if address.is_billing:
        return AddressResult(
            None,
            0,
            [
                user_error(
                    "id", "L'adresse de facturation se modifie, sans se supprimer.", "BILLING"
                )
            ],
        )
    now = utcnow()
    async with in_transaction():
        address.removed_at = now
        await address.save(update_fields=["removed_at"])
        planned = await Intervention.filter(
            address_id=address.id,
            status=InterventionStatus.SCHEDULED,
            scheduled_start__gt=now,
        ).values_list("id", flat=True)
        for visit_id in planned:
            await VisitAddressFlag.create(
                intervention_id=visit_id,
                agency_id=client.agency_id,
                reason="Adresse supprimée par le foyer : choisir une autre adresse.",
                created_at=now,
            )
        await _audit(viewer, account, client, "address:remove")
    return AddressResult(address, len(planned), [])


async def addresses(viewer: Viewer | None, client_id: int | None = None) -> list[Address]:
    account, client = await _household(viewer, client_id)
    if client_id is not None:
        await _audit(viewer, account, client, "addresses", PrivacyAction.FILE_ACCESSED)
    return list(await Address.filter(client_id=client.id, removed_at=None).order_by("id"))


async def flagged_visits(viewer: Viewer | None) -> list[VisitAddressFlag]:
    viewer = guards.staff(viewer)
    return list(
        await VisitAddressFlag.filter(agency_id=viewer.agency_id, resolved_at=None).order_by("id")
    )
