"""The legal archive of erased households, for ADMIN: the documents frozen at erasure."""

from __future__ import annotations

from models.accounts.people import Client
from models.privacy import ArchivedDocument
from resolvers.core import guards
from resolvers.core.runtime import Viewer
from services import tokens
from services.config import Settings


async def documents(viewer: Viewer | None, client_id: int) -> list[ArchivedDocument] | None:
    """None when the household is not an erased one of the ADMIN's agency."""
    viewer = guards.admin(viewer)
    if not await Client.exists(
        id=client_id, agency_id=viewer.agency_id, erased_at__not_isnull=True
    ):
        return None
    return list(await ArchivedDocument.filter(client_id=client_id).order_by("id"))


def link(settings: Settings, document: ArchivedDocument) -> str:
    return settings.public_url + tokens.sign_link(
        settings.secret_key, f"/archive/{document.id}.pdf", settings.document_link_seconds
    )


async def download(
    settings: Settings, document_id: int, expires: str, signature: str
) -> ArchivedDocument | None:
    path = f"/archive/{document_id}.pdf"
    if not tokens.check_link(settings.secret_key, path, expires, signature):
        return None
    return await ArchivedDocument.get_or_none(id=document_id)
