"""Setting up an agency: create-agency, update-agency (its legal identity), create-user."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from commands import Command, with_db
from models.enums import Role
from services.config import Settings

# Option → IdentityData field (resolvers.agency.identity): the same checks as the API.
IDENTITY_OPTIONS = {
    "--legal-name": "legal_name",
    "--address-line1": "address_line1",
    "--address-line2": "address_line2",
    "--postal-code": "postal_code",
    "--city": "city",
    "--phone": "phone",
    "--email": "email",
    "--siret": "siret",
    "--sap-number": "sap_number",
}


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    agency = commands.add_parser("create-agency", help="create an agency")
    agency.add_argument("--name", required=True)
    agency.add_argument("--postal-prefixes", required=True, help="comma-separated, e.g. 75,92")
    _identity_options(agency)
    agency.set_defaults(run=_printing(lambda settings, args: _create_agency(args)))

    update = commands.add_parser(
        "update-agency", help="change an agency's legal identity and contact details"
    )
    update.add_argument("--agency", required=True, help="the agency's global id")
    update.add_argument("--name", default=None)
    _identity_options(update)
    update.set_defaults(run=_printing(lambda settings, args: _update_agency(args)))

    user = commands.add_parser("create-user", help="create a staff or worker account")
    user.add_argument("--agency", required=True, help="the agency's global id")
    user.add_argument("--role", required=True, choices=["ADMIN", "ADVISOR", "WORKER"])
    user.add_argument("--email", required=True)
    user.add_argument("--password", required=True)
    user.add_argument("--first-name", required=True)
    user.add_argument("--last-name", required=True)
    user.add_argument("--phone", default="")
    user.add_argument("--employee-number", default=None, help="WORKER only (default W00042)")
    user.set_defaults(run=_printing(_create_user))


def _identity_options(parser: argparse.ArgumentParser) -> None:
    """The legal identity invoices print (Code du travail D.7233-1): all optional here."""
    for option, field in IDENTITY_OPTIONS.items():
        parser.add_argument(option, dest=field, default=None)
    parser.add_argument(
        "--sap-date",
        dest="sap_declared_on",
        type=date.fromisoformat,
        default=None,
        help="SAP declaration date, ISO (not in the future)",
    )
    parser.add_argument("--vat-regime", choices=["SUBJECT", "EXEMPT"], default=None)


def _printing(work: Callable[[Settings, argparse.Namespace], Awaitable[str]]) -> Command:
    """A command that runs `work(settings, args)` on the database and prints the id it returns."""

    def run(settings: Settings, args: argparse.Namespace) -> int:
        print(asyncio.run(with_db(settings, lambda: work(settings, args))))
        return 0

    return run


def _identity_data(args: argparse.Namespace) -> Any:
    from models.enums import VatRegime
    from resolvers.agency.identity import IdentityData

    values = {field: getattr(args, field) for field in IDENTITY_OPTIONS.values()}
    return IdentityData(
        name=getattr(args, "name", None),
        sap_declared_on=args.sap_declared_on,
        vat_regime=VatRegime(args.vat_regime) if args.vat_regime else None,
        **values,
    )


def _refusal(errors: list[Any]) -> str:
    """User errors named by their command-line options."""
    options = {field: option for option, field in IDENTITY_OPTIONS.items()}
    options |= {"sap_declared_on": "--sap-date", "vat_regime": "--vat-regime", "name": "--name"}
    parts = []
    for error in errors:
        name = error.field[-1] if error.field else ""
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
        parts.append(f"{options.get(snake, snake)}: {error.message}")
    return "; ".join(parts)


async def _create_agency(args: argparse.Namespace) -> str:
    from resolvers.agency import identity as agency_identity
    from resolvers.agency.staff import SetupError, create_agency
    from schema.core.ids import to_global_id
    from services.clock import utcnow

    data = _identity_data(args)
    errors = agency_identity.check(data, utcnow().date())
    if errors:
        raise SetupError(_refusal(errors))
    agency = await create_agency(args.name, args.postal_prefixes.split(","))
    result = await agency_identity.update(agency.id, data)
    if result.user_errors:  # checked above: only a date that turned future at midnight
        raise SetupError(_refusal(result.user_errors))
    return to_global_id("Agency", agency.id)


async def _update_agency(args: argparse.Namespace) -> str:
    from resolvers.agency import identity as agency_identity
    from resolvers.agency.staff import SetupError
    from resolvers.core.errors import BadInput
    from schema.core.ids import expect_id, to_global_id

    try:
        agency_id = expect_id(args.agency.strip(), "Agency")
    except BadInput:
        raise SetupError(f"--agency: {args.agency!r} is not an agency id") from None
    result = await agency_identity.update(agency_id, _identity_data(args))
    if result.user_errors:
        raise SetupError(_refusal(result.user_errors))
    missing = agency_identity.missing(result.agency) if result.agency else []
    if missing:
        print("passage: still missing for invoicing: " + ", ".join(missing), file=sys.stderr)
    return to_global_id("Agency", agency_id)


async def _create_user(settings: Settings, args: argparse.Namespace) -> str:
    from resolvers.agency.staff import SetupError, create_user
    from resolvers.core.errors import BadInput
    from resolvers.core.runtime import build_runtime
    from schema.core.ids import expect_id, to_global_id

    try:
        agency_id = expect_id(args.agency.strip(), "Agency")
    except BadInput:
        raise SetupError(
            f"--agency: {args.agency!r} is not an agency id (use the id create-agency printed)"
        ) from None
    runtime = build_runtime(settings)
    account = await create_user(
        runtime,
        agency_id,
        Role(args.role),
        args.email,
        args.password,
        args.first_name,
        args.last_name,
        args.phone,
        args.employee_number,
    )
    return to_global_id("Account", account.id)
