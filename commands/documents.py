"""register-documents: persisted documents from an Apollo persisted query manifest."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from commands import with_db
from services.config import Settings


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    documents = commands.add_parser(
        "register-documents",
        help="register persisted documents from an Apollo persisted query manifest (JSON)",
    )
    documents.add_argument("manifest", type=Path)
    documents.set_defaults(run=_run)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    for line in asyncio.run(with_db(settings, lambda: _register_documents(args))):
        print(line)
    return 0


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
