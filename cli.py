"""The `passage` command: migrate, serve, and set up agencies and their people.

Exit status: 0 done, 1 refused (bad input, taken e-mail, database unreachable…),
2 unusable configuration or command line. Messages go to stderr; what a script
needs (a global id) is the last line of stdout.
"""

from __future__ import annotations

import argparse
import sys

from tortoise.exceptions import BaseORMException

from commands import REFUSED, UNUSABLE, agency, billing, demo, documents, serve
from resolvers.core.errors import DomainError
from services import demo_clock
from services.config import ConfigError, load_settings
from services.logs import configure_logging

__all__ = ["REFUSED", "UNUSABLE", "main"]

# In the order `passage --help` lists them.
GROUPS = (serve, agency, billing, demo, documents)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="passage", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.add_commands(commands)
    return parser


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
        status: int = args.run(settings, args)
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
    return status


if __name__ == "__main__":
    raise SystemExit(main())
