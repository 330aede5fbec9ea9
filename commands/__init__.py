"""The `passage` subcommands, one module per group; cli.py parses and dispatches.

Each module's `add_commands` adds its subcommands to the parser and sets `run`, a
`Command`: it takes the settings and the parsed arguments and returns the exit status.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

from models.db import close_db, init_db
from services.config import Settings

REFUSED = 1
UNUSABLE = 2

Command = Callable[[Settings, argparse.Namespace], int]


async def with_db(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    await init_db(settings.database_url)
    try:
        return await work()
    finally:
        await close_db()
