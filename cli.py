"""The `passage` command: migrate, serve, and set up agencies and their people."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from models.db import close_db, init_db, migrate_db
from models.enums import Role
from resolvers.errors import DomainError
from services.config import ConfigError, Settings, load_settings
from services.logs import configure_logging


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="passage", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="apply migrations to DATABASE_URL")

    serve = commands.add_parser("serve", help="migrate, then serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--certfile", help="TLS certificate (PEM) to serve HTTPS directly")
    serve.add_argument("--keyfile", help="TLS private key (PEM)")
    serve.add_argument(
        "--seed-demo",
        action="store_true",
        help="create the demo data first if the database has none",
    )

    agency = commands.add_parser("create-agency", help="create an agency")
    agency.add_argument("--name", required=True)
    agency.add_argument("--postal-prefixes", required=True, help="comma-separated, e.g. 75,92")
    agency.add_argument("--sap-number", default="")
    agency.add_argument("--sap-date", type=date.fromisoformat, default=None)
    agency.add_argument("--siret", default="")

    user = commands.add_parser("create-user", help="create a staff or worker account")
    user.add_argument("--agency", required=True, help="the agency's global id")
    user.add_argument("--role", required=True, choices=["ADMIN", "ADVISOR", "WORKER"])
    user.add_argument("--email", required=True)
    user.add_argument("--password", required=True)
    user.add_argument("--first-name", required=True)
    user.add_argument("--last-name", required=True)
    user.add_argument("--phone", default="")
    user.add_argument("--employee-number", default=None)

    commands.add_parser("seed-demo", help="idempotent demo agency, staff, workers and clients")
    return parser


async def _with_db(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    await init_db(settings.database_url)
    try:
        return await work()
    finally:
        await close_db()


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    from app import create_app, server_config

    asyncio.run(migrate_db(settings.database_url))
    if args.seed_demo:
        from app import build_runtime
        from resolvers.demo import seed_if_empty

        runtime = build_runtime(settings)
        for line in asyncio.run(_with_db(settings, lambda: seed_if_empty(runtime))):
            print(line)
    if bool(args.certfile) != bool(args.keyfile):
        raise ConfigError("--certfile and --keyfile go together")
    tls = {"ssl_certfile": args.certfile, "ssl_keyfile": args.keyfile} if args.certfile else {}
    config = server_config(create_app(settings), settings, args.host, args.port, **tls)
    uvicorn.Server(config).run()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"passage: configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        if args.command == "migrate":
            asyncio.run(migrate_db(settings.database_url))
            print("migrations applied")
        elif args.command == "serve":
            _serve(settings, args)
        elif args.command == "create-agency":
            print(asyncio.run(_with_db(settings, lambda: _create_agency(args))))
        elif args.command == "create-user":
            print(asyncio.run(_with_db(settings, lambda: _create_user(settings, args))))
        elif args.command == "seed-demo":
            from app import build_runtime
            from resolvers.demo import seed_demo

            runtime = build_runtime(settings)
            for line in asyncio.run(_with_db(settings, lambda: seed_demo(runtime))):
                print(line)
    except (ConfigError, ValueError, DomainError) as exc:
        print(f"passage: {exc}", file=sys.stderr)
        return 2
    return 0


async def _create_agency(args: argparse.Namespace) -> str:
    from resolvers.staff import create_agency
    from schema.ids import to_global_id

    agency = await create_agency(
        args.name,
        args.postal_prefixes.split(","),
        sap_number=args.sap_number,
        sap_declared_on=args.sap_date,
        siret=args.siret,
    )
    return to_global_id("Agency", agency.id)


async def _create_user(settings: Settings, args: argparse.Namespace) -> str:
    from app import build_runtime
    from resolvers.staff import create_user
    from schema.ids import expect_id, to_global_id

    runtime = build_runtime(settings)
    account = await create_user(
        runtime,
        expect_id(args.agency, "Agency"),
        Role(args.role),
        args.email,
        args.password,
        args.first_name,
        args.last_name,
        args.phone,
        args.employee_number,
    )
    return to_global_id("Account", account.id)


if __name__ == "__main__":
    raise SystemExit(main())
