"""migrate and serve: the schema up to date, then the API on a port (HTTPS if given a pair)."""

from __future__ import annotations

import argparse
import asyncio
import ssl
from pathlib import Path

from commands import with_db
from models.db import migrate_db
from services.config import ConfigError, Settings


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    migrate = commands.add_parser("migrate", help="apply migrations to DATABASE_URL")
    migrate.set_defaults(run=_run_migrate)

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
    serve.set_defaults(run=_serve)


def _run_migrate(settings: Settings, args: argparse.Namespace) -> int:
    _migrate(settings)
    print("migrations applied")
    return 0


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


def _serve(settings: Settings, args: argparse.Namespace) -> int:
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
        for line in asyncio.run(with_db(settings, lambda: seed_if_empty(runtime))):
            print(line, flush=True)
    config = server_config(create_app(settings), settings, args.host, args.port, **tls)
    scheme = "https" if tls else "http"
    ide = "" if settings.production else " (GraphiQL at /graphql)"
    print(f"Passage serving on {scheme}://{args.host}:{args.port}{ide}", flush=True)
    tune_for_serving()
    uvicorn.Server(config).run()
    return 0


def _migrate(settings: Settings) -> None:
    """Migrations, then the help articles every agency shares (only the missing ones)."""
    from simulation.seed.help_demo import seed_shared_articles

    asyncio.run(migrate_db(settings.database_url))
    asyncio.run(with_db(settings, seed_shared_articles))
