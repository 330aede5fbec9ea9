"""Persisted documents: registering a document's text under its SHA-256, finding it again.

Stored in the database so every process knows what any of them registered; each process
keeps the documents it used lately in a bounded cache (a document never changes under its
hash, so the cache is never stale, only incomplete).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from tortoise.exceptions import IntegrityError

from models.persisted import PersistedDocument
from resolvers.core import guards
from resolvers.core.errors import UserError, user_error
from resolvers.core.runtime import Viewer
from services.clock import utcnow

HASH = re.compile(r"^[0-9a-f]{64}$")
MAX_DOCUMENTS = 100  # per mutation or manifest call
MAX_DOCUMENT_CHARS = 20_000
AUTOMATIC, ADMIN, MANIFEST = "AUTOMATIC", "ADMIN", "MANIFEST"


def sha256_of(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


class DocumentStore:
    """The registered documents, through a per-process cache of `size` entries."""

    def __init__(self, size: int) -> None:
        self._cache: LRUCache[str, str] = LRUCache(size)

    async def find(self, sha256: str) -> str | None:
        cached = self._cache.get(sha256)
        if cached is not None:
            return cached
        row = await PersistedDocument.get_or_none(sha256=sha256).values("body")
        if row is None:
            return None
        self._cache[sha256] = str(row["body"])
        return self._cache[sha256]

    async def register(self, body: str, source: str, account_id: int | None = None) -> str:
        """Stores `body` under its hash (once, whoever registers it first) and returns it."""
        sha256 = sha256_of(body)
        if await self.find(sha256) is None:
            # Registered meanwhile by another request or process: the same text.
            with contextlib.suppress(IntegrityError):
                await PersistedDocument.create(
                    sha256=sha256,
                    body=body,
                    source=source,
                    registered_by_id=account_id,
                    created_at=utcnow(),
                )
            self._cache[sha256] = body
        return sha256


@dataclass(frozen=True)
class Registered:
    hashes: list[str]
    user_errors: list[UserError]


def document_problem(body: str) -> str | None:
    """What is wrong with a document's size alone (the schema layer checks its syntax)."""
    if not body.strip():
        return "Document vide."
    if len(body) > MAX_DOCUMENT_CHARS:
        return f"Document trop long (au plus {MAX_DOCUMENT_CHARS} caractères)."
    return None


async def register_for_admin(
    store: DocumentStore, viewer: Viewer | None, bodies: list[str], problems: list[str | None]
) -> Registered:
    """ADMIN: registers every document, or none when one of them is refused.

    `problems` holds, per document, why the schema refused it (syntax, validation), if so.
    """
    viewer = guards.admin(viewer)
    if not 1 <= len(bodies) <= MAX_DOCUMENTS:
        message = f"Entre 1 et {MAX_DOCUMENTS} documents par appel."
        return Registered([], [user_error("documents", message, "OUT_OF_RANGE")])
    errors = [
        user_error(f"documents.{index}", problem, "INVALID_DOCUMENT")
        for index, (body, refused) in enumerate(zip(bodies, problems, strict=True))
        if (problem := document_problem(body) or refused) is not None
    ]
    if errors:
        return Registered([], errors)
    hashes = [await store.register(body, ADMIN, viewer.account_id) for body in bodies]
    return Registered(hashes, [])


class ManifestError(ValueError):
    """The manifest file cannot be registered; nothing of it was."""


def read_manifest(path: Path) -> list[str]:
    """The documents of an Apollo persisted query manifest, their ids checked.

    {"format": "apollo-persisted-query-manifest", "version": 1,
     "operations": [{"id": "<sha256 of body>", "name": "...", "type": "query", "body": "..."}]}
    """
    try:
        manifest: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ManifestError(f"{path}: unreadable JSON ({exc})") from None
    operations = manifest.get("operations") if isinstance(manifest, dict) else None
    if not isinstance(operations, list):
        raise ManifestError(f"{path}: no `operations` list")
    bodies = []
    for index, operation in enumerate(operations):
        body = operation.get("body") if isinstance(operation, dict) else None
        if not isinstance(body, str) or (problem := document_problem(body)) is not None:
            raise ManifestError(f"operation {index}: {'no body' if body is None else problem}")
        if operation.get("id") not in (None, sha256_of(body)):
            raise ManifestError(f"operation {index}: its id is not the SHA-256 of its body")
        bodies.append(body)
    return bodies


async def register_manifest(store: DocumentStore, bodies: list[str]) -> list[str]:
    return [await store.register(body, MANIFEST) for body in bodies]
