"""Sign-up, e-mail verification and what an account sees of itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from tortoise.exceptions import DoesNotExist, IntegrityError
from tortoise.transactions import in_transaction

from models.accounts.people import Account, Agency, AgencyPostalPrefix, Client
from models.accounts.security import OneTimeToken
from models.enums import AccountStatus, Role, SecurityEventKind, TokenPurpose
from notifications import texts
from notifications.notify import email_now
from resolvers.accounts import audit, signup_guard
from resolvers.accounts.sessions import account_changed
from resolvers.core.errors import RateLimited, Unauthenticated, UserError, user_error
from resolvers.core.lookups import client_id_for, client_id_of, worker_id_for, worker_id_of
from resolvers.core.prepared import get_by_id, row_by_id
from resolvers.core.runtime import RequestMeta, Runtime, Viewer
from services import identity
from services.clock import utcnow
from services.passwords import check_policy
from services.tokens import digest, new_token

VERIFY_TTL = timedelta(hours=24)
RESEND_SPACING = timedelta(seconds=60)


@dataclass(frozen=True)
class AddressData:
    line1: str
    line2: str | None
    postal_code: str
    city: str
    country: str


@dataclass(frozen=True)
class SignUpData:
    first_name: str
    last_name: str
    email: str
    phone: str
    password: str
    billing_address: AddressData


@dataclass(frozen=True)
class SignUpResult:
    account: Account | None
    user_errors: list[UserError]


@dataclass(frozen=True)
class AccountRecord:
    """An account with the ids of what hangs off it, as `me` shows it."""

    account: Account
    client_id: int | None
    worker_id: int | None


def validate_person(
    first_name: str, last_name: str, email: str, phone: str, password: str
) -> tuple[dict[str, str], list[UserError]]:
    errors: list[UserError] = []
    clean: dict[str, str] = {}
    for key, raw in (("firstName", first_name), ("lastName", last_name)):
        value = identity.clean_name(raw)
        if value is None:
            errors.append(user_error(key, "Nom invalide (1 à 100 lettres).", "INVALID_NAME"))
        else:
            clean[key] = value
    normalized_email = identity.normalize_email(email)
    if normalized_email is None:
        errors.append(user_error("email", "Adresse e-mail invalide.", "INVALID_EMAIL"))
    else:
        clean["email"] = normalized_email
    normalized_phone = identity.normalize_phone(phone)
    if normalized_phone is None:
        errors.append(user_error("phone", "Numéro de téléphone invalide.", "INVALID_PHONE"))
    else:
        clean["phone"] = normalized_phone
    personal = tuple(v for v in (first_name, last_name) if v)
    for problem in check_policy(password, personal=personal, email=email):
        errors.append(user_error("password", problem.message, problem.code))
    return clean, errors


def _validate_address(address: AddressData) -> tuple[dict[str, str], list[UserError]]:
    errors: list[UserError] = []
    clean: dict[str, str] = {}
    line1 = identity.clean_text(address.line1, 200)
    if line1 is None:
        errors.append(user_error("billingAddress.line1", "Adresse requise.", "INVALID_ADDRESS"))
    else:
        clean["line1"] = line1
    line2 = identity.clean_text(address.line2, 200) if address.line2 else ""
    if line2 is None:
        errors.append(
            user_error("billingAddress.line2", "Complément trop long.", "INVALID_ADDRESS")
        )
    else:
        clean["line2"] = line2
    city = identity.clean_text(address.city, 100)
    if city is None:
        errors.append(user_error("billingAddress.city", "Ville requise.", "INVALID_ADDRESS"))
    else:
        clean["city"] = city
    country = address.country.strip().upper()
    if country != "FR":
        errors.append(
            user_error(
                "billingAddress.country",
                "Nos agences interviennent en France uniquement.",
                "UNSUPPORTED_COUNTRY",
            )
        )
    postal = address.postal_code.strip()
    if not identity.is_french_postal_code(postal):
        errors.append(
            user_error("billingAddress.postalCode", "Code postal invalide.", "INVALID_POSTAL_CODE")
        )
    else:
        clean["postal_code"] = postal
    return clean, errors


async def agency_for_postal_code(postal_code: str) -> Agency | None:
    """The agency with the longest prefix matching the code."""
    prefixes = [postal_code[:n] for n in range(1, len(postal_code) + 1)]
    match = await AgencyPostalPrefix.filter(prefix__in=prefixes).select_related("agency").all()
    if not match:
        return None
    return max(match, key=lambda row: len(row.prefix)).agency


async def _least_busy_advisor(agency_id: int) -> int | None:
    advisors: list[int] = await Account.filter(  # type: ignore[assignment]
        agency_id=agency_id, role=Role.ADVISOR, status=AccountStatus.ACTIVE
    ).values_list("id", flat=True)
    if not advisors:
        return None
    counts = dict.fromkeys(advisors, 0)
    for advisor_id in await Client.filter(advisor_id__in=advisors).values_list(
        "advisor_id", flat=True
    ):
        counts[advisor_id] += 1  # type: ignore[index]
    return min(counts, key=lambda advisor: (counts[advisor], advisor))


async def issue_token(account: Account, purpose: TokenPurpose, ttl: timedelta) -> str:
    token = new_token("vrf" if purpose is TokenPurpose.VERIFY_EMAIL else "rst")
    now = utcnow()
    await OneTimeToken.create(
        account=account,
        purpose=purpose,
        token_hash=digest(token),
        created_at=now,
        expires_at=now + ttl,
    )
    return token


async def _send_verification(rt: Runtime, account: Account) -> None:
    token = await issue_token(account, TokenPurpose.VERIFY_EMAIL, VERIFY_TTL)
    # The token travels in the fragment, which browsers never send to servers or proxies.
    link = f"{rt.settings.link_base}/verify-email#token={token}"
    await email_now(account.email, texts.accounts.verification(account.first_name, link))


async def sign_up(rt: Runtime, data: SignUpData, meta: RequestMeta) -> SignUpResult:
    person, errors = validate_person(
        data.first_name, data.last_name, data.email, data.phone, data.password
    )
    address, address_errors = _validate_address(data.billing_address)
    errors += address_errors
    agency = None
    if "postal_code" in address:
        agency = await agency_for_postal_code(address["postal_code"])
        if agency is None:
            errors.append(
                user_error(
                    "billingAddress.postalCode",
                    "Aucune agence ne dessert encore ce code postal.",
                    "NO_AGENCY_FOR_POSTAL_CODE",
                )
            )
    if errors or agency is None:
        return SignUpResult(None, errors)
    await signup_guard.throttle(rt, person["email"], meta)

    # Hash before looking the e-mail up, so a taken address answers in the same time.
    password_hash = await rt.passwords.hash(data.password)
    now = utcnow()
    advisor_id = await _least_busy_advisor(agency.id)
    try:
        async with in_transaction():
            account = await Account.create(
                email=person["email"],
                password_hash=password_hash,
                role=Role.CLIENT,
                first_name=person["firstName"],
                last_name=person["lastName"],
                phone=person["phone"],
                agency=agency,
                password_changed_at=now,
            )
            client = await Client.create(
                account=account,
                agency=agency,
                client_number=f"tmp-{account.id}",
                advisor_id=advisor_id,
                billing_line1=address["line1"],
                billing_line2=address["line2"],
                billing_postal_code=address["postal_code"],
                billing_city=address["city"],
                billing_country="FR",
            )
            client.client_number = f"C{client.id:07d}"
            await client.save(update_fields=["client_number"])
            await audit.record(SecurityEventKind.SIGN_UP, account.id, meta)
            await _send_verification(rt, account)
    except IntegrityError:
        # The address is taken. Answer as for a new one, so an outsider learns nothing;
        # tell the owner.
        await _notify_existing_owner(rt, person["email"])
        rt.mailer.wake()
        return SignUpResult(await signup_guard.stand_in(person, agency), [])
    rt.mailer.wake()
    return SignUpResult(account, [])


async def _notify_existing_owner(rt: Runtime, email: str) -> None:
    owner = await Account.get_or_none(email=email)
    if owner is None:
        return
    login = f"{rt.settings.link_base}/login"
    await email_now(owner.email, texts.accounts.signup_existing(owner.first_name, login))


async def consume_token(token: str, purpose: TokenPurpose) -> OneTimeToken | None:
    """Marks a valid token used, exactly once even under concurrent calls."""
    if not token or len(token) > 200:
        return None
    row = await OneTimeToken.get_or_none(token_hash=digest(token), purpose=purpose)
    now = utcnow()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    claimed = await OneTimeToken.filter(id=row.id, used_at=None).update(used_at=now)
    return row if claimed else None


async def verify_email(
    rt: Runtime, token: str, meta: RequestMeta
) -> tuple[Account | None, list[UserError]]:
    """A sign-up's address; a changed address is confirmed by `profile.confirm_email_change`."""
    async with in_transaction():
        row = await consume_token(token, TokenPurpose.VERIFY_EMAIL)
        if row is None:
            return None, [
                user_error("token", "Lien invalide ou expiré.", "INVALID_TOKEN"),
            ]
        account = await Account.get(id=row.account_id)
        if account.email_verified_at is None:
            account.email_verified_at = utcnow()
            await account.save(update_fields=["email_verified_at"])
            await audit.record(SecurityEventKind.EMAIL_VERIFIED, account.id, meta)
    await account_changed(rt, account.id)  # its sessions now carry a verified address
    return account, []


async def resend_verification(rt: Runtime, viewer: Viewer | None) -> list[UserError]:
    if viewer is None:
        raise Unauthenticated()
    account = await Account.get(id=viewer.account_id)
    if account.email_verified_at is not None:
        return [user_error(None, "Adresse déjà vérifiée.", "ALREADY_VERIFIED")]
    now = utcnow()
    recent = cast(
        list[datetime],
        await OneTimeToken.filter(
            account_id=account.id,
            purpose=TokenPurpose.VERIFY_EMAIL,
            created_at__gte=now - timedelta(hours=1),
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True),
    )
    if recent and now - recent[0] < RESEND_SPACING:
        raise RateLimited(int((RESEND_SPACING - (now - recent[0])).total_seconds()) + 1)
    if len(recent) >= rt.settings.verification_resend_per_hour:
        raise RateLimited(int((recent[-1] + timedelta(hours=1) - now).total_seconds()) + 1)
    async with in_transaction():
        await _send_verification(rt, account)
    rt.mailer.wake()
    return []


async def get_record(account_id: int, own: Viewer | None = None) -> AccountRecord:
    """The account with its client or worker record (every statement's SQL written once);
    for the viewer's `own` account, the record its session carries."""
    account = await get_by_id(Account, account_id)
    if account is None:
        raise DoesNotExist(Account)
    if own is not None:
        return AccountRecord(account, await client_id_for(own), await worker_id_for(own))
    return AccountRecord(account, await client_id_of(account_id), await worker_id_of(account_id))


async def me(viewer: Viewer | None) -> AccountRecord | None:
    return None if viewer is None else await get_record(viewer.account_id, viewer)


async def me_row(viewer: Viewer | None, columns: tuple[str, ...]) -> dict[str, Any] | None:
    """`me` as a row of the account's `columns` and its records' ids (`client_id`,
    `worker_id`, those its session carries), reading only those columns (not the password
    hash that `me` reads with the rest): None when nobody is signed in."""
    if viewer is None:
        return None
    own = [c for c in ("id", *columns) if c not in _RECORD_IDS]
    row = await row_by_id(Account, viewer.account_id, own)
    if row is None:
        raise DoesNotExist(Account)
    row["client_id"], row["worker_id"] = await client_id_for(viewer), await worker_id_for(viewer)
    return row


_RECORD_IDS = ("client_id", "worker_id")
