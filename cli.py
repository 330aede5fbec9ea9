"""The `passage` command: migrate, serve, and set up agencies and their people.

Exit status: 0 done, 1 refused (bad input, taken e-mail, database unreachable…),
2 unusable configuration or command line. Messages go to stderr; what a script
needs (a global id) is the last line of stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import ssl
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

from tortoise.exceptions import BaseORMException

from models.db import close_db, init_db, migrate_db
from models.enums import Role
from resolvers.core.errors import DomainError
from services import demo_clock
from services.config import ConfigError, Settings, load_settings
from services.logs import configure_logging

REFUSED = 1
UNUSABLE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="passage", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="apply migrations to DATABASE_URL")

    serve = commands.add_parser("serve", help="migrate, then serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--certfile", help="TLS certificate (PEM) to serve HTTPS directly")
    serve.add_argument("--keyfile", help="TLS private key (PEM), with --certfile")
    serve.add_argument(
        "--seed-demo",
        action="store_true",
        help="create the demo data first if the database has none",
    )

    agency = commands.add_parser("create-agency", help="create an agency")
    agency.add_argument("--name", required=True)
    agency.add_argument("--postal-prefixes", required=True, help="comma-separated, e.g. 75,92")
    _identity_options(agency)

    update = commands.add_parser(
        "update-agency", help="change an agency's legal identity and contact details"
    )
    update.add_argument("--agency", required=True, help="the agency's global id")
    update.add_argument("--name", default=None)
    _identity_options(update)

    user = commands.add_parser("create-user", help="create a staff or worker account")
    user.add_argument("--agency", required=True, help="the agency's global id")
    user.add_argument("--role", required=True, choices=["ADMIN", "ADVISOR", "WORKER"])
    user.add_argument("--email", required=True)
    user.add_argument("--password", required=True)
    user.add_argument("--first-name", required=True)
    user.add_argument("--last-name", required=True)
    user.add_argument("--phone", default="")
    user.add_argument("--employee-number", default=None, help="WORKER only (default W00042)")

    invoice = commands.add_parser(
        "invoice", help="invoice the completed visits of a past month (safe to re-run)"
    )
    invoice.add_argument("--month", required=True, help="YYYY-MM")
    invoice.add_argument("--agency", default=None, help="an agency's global id (default: all)")

    commands.add_parser("seed-demo", help="idempotent demo agency, staff, workers and clients")

    clock = commands.add_parser(
        "demo-clock", help="print a PASSAGE_CLOCK value: today from a morning hour, accelerated"
    )
    clock.add_argument("--speed", type=float, default=6.0, help="simulated minutes per second")
    clock.add_argument("--start", default="07:30", help="the simulated hour it starts from")
    clock.add_argument(
        "--lead", type=float, default=20.0, help="real seconds before the clock reaches --start"
    )
    clock.add_argument("--time-zone", default="Europe/Paris")

    simulate = commands.add_parser(
        "simulate", help="play the demo agency's day through the public API of a running server"
    )
    simulate.add_argument("--url", default="http://127.0.0.1:8000", help="the server's base URL")
    simulate.add_argument(
        "--speed", type=float, default=1.0, help="simulated minutes per real second (default 1)"
    )
    simulate.add_argument(
        "--duration", type=float, default=600.0, help="stop after this many real seconds"
    )
    simulate.add_argument("--seed", type=int, default=7, help="who is late varies with it")
    simulate.add_argument(
        "--wait", type=float, default=0.0, help="seconds to wait for the server to be ready"
    )
    sandbox = commands.add_parser(
        "urssaf-sandbox",
        help="serve a local URSSAF stand-in (API Tiers de prestation) for demos and frontends",
    )
    documents = commands.add_parser(
        "register-documents",
        help="register persisted documents from an Apollo persisted query manifest (JSON)",
    )
    documents.add_argument("manifest", type=Path)
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8090)
    return parser


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


def _check_tls(args: argparse.Namespace) -> dict[str, str]:
    """uvicorn's TLS options, refused before anything starts when they cannot work."""
    if not args.certfile and not args.keyfile:
        return {}
    if not (args.certfile and args.keyfile):
        raise ConfigError("--certfile and --keyfile go together")
    for option, path in (("--certfile", args.certfile), ("--keyfile", args.keyfile)):
        if not Path(path).is_file():
            raise ConfigError(f"{option}: no readable file at {path}")
    return {"ssl_certfile": args.certfile, "ssl_keyfile": args.keyfile}


async def _with_db(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    await init_db(settings.database_url)
    try:
        return await work()
    finally:
        await close_db()


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    from app import create_app
    from web.interpreter import tune_for_serving
    from web.server import server_config

    tls = _check_tls(args)
    if tls:
        try:  # uvicorn would only find out after migrating, with a cryptic message
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(
                tls["ssl_certfile"], tls["ssl_keyfile"]
            )
        except ssl.SSLError as exc:
            raise ConfigError(f"--certfile/--keyfile: not a usable PEM pair ({exc})") from exc
    _migrate(settings)
    if args.seed_demo:
        from resolvers.core.runtime import build_runtime
        from simulation.seed.demo import seed_if_empty

        runtime = build_runtime(settings)
        for line in asyncio.run(_with_db(settings, lambda: seed_if_empty(runtime))):
            print(line, flush=True)
    config = server_config(create_app(settings), settings, args.host, args.port, **tls)
    scheme = "https" if tls else "http"
    ide = "" if settings.production else " (GraphiQL at /graphql)"
    print(f"Passage serving on {scheme}://{args.host}:{args.port}{ide}", flush=True)
    tune_for_serving()
    uvicorn.Server(config).run()


def _migrate(settings: Settings) -> None:
    """Migrations, then the help articles every agency shares (only the missing ones)."""
    from simulation.seed.help_demo import seed_shared_articles

    asyncio.run(migrate_db(settings.database_url))
    asyncio.run(_with_db(settings, seed_shared_articles))


def _seed_demo(settings: Settings) -> list[str]:
    from resolvers.core.runtime import build_runtime
    from simulation.seed.demo import seed_demo

    runtime = build_runtime(settings)
    lines: list[str] = asyncio.run(_with_db(settings, lambda: seed_demo(runtime)))
    return lines


async def _register_documents(args: argparse.Namespace) -> list[str]:
    """Every document checked against the schema first: all of the manifest, or none."""
    from resolvers.core import persisted
    from schema import schema as built
    from schema.engine.persisted import document_problems

    bodies = persisted.read_manifest(args.manifest)
    limits = built.limits
    assert limits is not None
    problems = document_problems(built._schema, limits, bodies)
    refused = [f"operation {i}: {p}" for i, p in enumerate(problems) if p is not None]
    if refused:
        raise ValueError("; ".join(refused))
    store = persisted.DocumentStore(len(bodies) or 1)
    hashes = await persisted.register_manifest(store, bodies)
    return [*hashes, f"{len(hashes)} documents registered"]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        demo_clock.from_environment(settings.production)
    except ConfigError as exc:
        print(f"passage: configuration error: {exc}", file=sys.stderr)
        return UNUSABLE
    configure_logging(settings.log_level)
    try:
        if args.command == "migrate":
            _migrate(settings)
            print("migrations applied")
        elif args.command == "serve":
            _serve(settings, args)
        elif args.command == "create-agency":
            print(asyncio.run(_with_db(settings, lambda: _create_agency(args))))
        elif args.command == "update-agency":
            print(asyncio.run(_with_db(settings, lambda: _update_agency(args))))
        elif args.command == "create-user":
            print(asyncio.run(_with_db(settings, lambda: _create_user(settings, args))))
        elif args.command == "invoice":
            for line in asyncio.run(_with_db(settings, lambda: _invoice(args))):
                print(line)
        elif args.command == "seed-demo":
            for line in _seed_demo(settings):
                print(line)
        elif args.command == "simulate":
            return _simulate(args)
        elif args.command == "demo-clock":
            print(demo_clock.morning(args.speed, args.start, args.lead, args.time_zone).encode())
        elif args.command == "register-documents":
            for line in asyncio.run(_with_db(settings, lambda: _register_documents(args))):
                print(line)
        elif args.command == "urssaf-sandbox":
            from simulation import urssaf_sandbox

            print(f"URSSAF stand-in: URSSAF_URL=http://{args.host}:{args.port}", flush=True)
            urssaf_sandbox.serve(args.host, args.port)
    except ConfigError as exc:
        print(f"passage: configuration error: {exc}", file=sys.stderr)
        return UNUSABLE
    except (ValueError, DomainError) as exc:
        print(f"passage: {exc}", file=sys.stderr)
        return REFUSED
    except (BaseORMException, OSError) as exc:
        # Unreachable database, read-only file, port in use…: say so without a traceback.
        hint = ""
        if "no such table" in str(exc) or ("relation" in str(exc) and "does not exist" in str(exc)):
            hint = " (run `passage migrate` first)"
        print(f"passage: {type(exc).__name__}: {exc}{hint}", file=sys.stderr)
        return REFUSED
    return 0


def _simulate(args: argparse.Namespace) -> int:
    import httpx

    from simulation import GraphQLFailure, simulate, wait_until_ready
    from simulation.seed.demo import demo_logins

    if not 0 < args.speed <= 600 or not 0 < args.duration <= 86400 or not 0 <= args.wait <= 600:
        print(
            "passage: --speed must be in (0, 600], --duration in (0, 86400], --wait in [0, 600]",
            file=sys.stderr,
        )
        return UNUSABLE
    # What the simulation does is for the person watching: plain lines on stdout.
    out = logging.getLogger("passage.simulate")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    out.handlers, out.propagate = [handler], False
    logging.getLogger("httpx").setLevel(logging.WARNING)
    url = args.url.rstrip("/")
    try:
        if args.wait:
            asyncio.run(wait_until_ready(url, args.wait))
        print(f"Dashboard: {url}/dashboard", *demo_logins(), sep="\n", flush=True)
        report = asyncio.run(simulate(url, args.speed, args.duration, args.seed))
    except (httpx.HTTPError, GraphQLFailure) as exc:
        print(
            f"passage: simulation stopped: {exc} (is the demo served at {args.url}?)",
            file=sys.stderr,
        )
        return REFUSED
    print(
        f"simulated: {report.booked} visits booked, {report.check_ins} check-ins, "
        f"{report.check_outs} check-outs, {report.ratings} rating(s), "
        f"{report.messages} message(s) and {report.replies} answer(s), "
        f"{report.requests} request(s) and {report.reviews} decision(s), "
        f"{report.claims} claim(s) and {report.claim_steps} step(s), "
        f"{report.callbacks} call-back(s) and {report.calls} call(s) logged"
    )
    for reason in report.skipped:
        print(f"skipped: {reason}")
    return 0


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


async def _invoice(args: argparse.Namespace) -> list[str]:
    from models.accounts.people import Agency
    from resolvers.agency.identity import IncompleteIdentity
    from resolvers.billing.invoicing import run_month
    from resolvers.billing.months import Month
    from resolvers.core.errors import BadInput
    from schema.core.ids import expect_id, to_global_id
    from services.billing import money

    month = Month.parse(args.month)
    if args.agency:
        try:
            agency_ids = [expect_id(args.agency.strip(), "Agency")]
        except BadInput:
            raise BadInput(f"--agency: {args.agency!r} is not an agency id") from None
    else:
        agency_ids = [row["id"] for row in await Agency.all().order_by("id").values("id")]
    lines, refused = [], []
    for agency_id in agency_ids:
        try:
            created = await run_month(int(agency_id), month)
        except IncompleteIdentity as exc:  # the other agencies are invoiced all the same
            refused.append(f"{to_global_id('Agency', int(agency_id))}: {exc}")
            continue
        lines += [f"{invoice.number} {money(invoice.total_incl_cents)}" for invoice in created]
    lines.append(f"{len(lines)} invoice(s) issued for {month}")
    if refused:
        for line in lines:
            print(line)
        raise BadInput("refused for " + "; ".join(refused))
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
