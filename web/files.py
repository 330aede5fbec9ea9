"""The files behind links: calendar feeds, billing documents, attachments, data exports,
archived documents and claim files. Each link carries its own proof (a token or a
signature with an expiry); a link that proves nothing gets a short plain answer."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from resolvers.billing import documents
from resolvers.care import claims_read
from resolvers.messaging import attachments
from resolvers.privacy import archive as legal_archive
from resolvers.privacy import exports as data_exports
from resolvers.visits import feeds
from services.config import Settings


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.runtime.settings
    return settings


def attached(filename: str) -> str:
    return f'attachment; filename="{filename}"'


def private_file(
    body: bytes, media_type: str, disposition: str, extra: dict[str, str] | None = None
) -> Response:
    """A file behind a signed link: never cached by a proxy, never sniffed as another type."""
    headers = {
        "cache-control": "private, no-store",
        "content-disposition": disposition,
        "x-content-type-options": "nosniff",
        **(extra or {}),
    }
    return Response(body, media_type=media_type, headers=headers)


def uploaded_file(body: bytes, media_type: str, filename: str) -> Response:
    """A file a person uploaded (message or claim attachment): sandboxed if opened inline."""
    return private_file(
        body,
        media_type,
        attachments.content_disposition(filename),
        {"content-security-policy": "default-src 'none'; sandbox"},
    )


async def calendar_feed(request: Request) -> Response:
    body = await feeds.render(request.path_params["token"])
    if body is None:
        return PlainTextResponse("Lien inconnu ou révoqué.", status_code=404)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "cache-control": "private, max-age=300",
            "content-disposition": 'inline; filename="passage.ics"',
        },
    )


async def billing_document(request: Request) -> Response:
    rendered = await documents.render(
        _settings(request),
        request.url.path,
        request.query_params.get("expires", ""),
        request.query_params.get("signature", ""),
    )
    if rendered is None:
        return PlainTextResponse("Lien invalide ou expiré.", status_code=403)
    return private_file(rendered.body, rendered.media_type, attached(rendered.filename))


async def attachment(request: Request) -> Response:
    secret_key = _settings(request).secret_key
    found = await attachments.download(secret_key, request.path_params["token"])
    if found is None:
        return PlainTextResponse("Lien expiré ou non autorisé.", status_code=404)
    return uploaded_file(found.data, found.content_type, found.filename)


async def data_export(request: Request) -> Response:
    archive = await data_exports.download(
        _settings(request),
        request.path_params["export_id"],
        request.query_params.get("expires", ""),
        request.query_params.get("signature", ""),
    )
    if archive is None:
        return PlainTextResponse("Lien invalide ou expiré.", status_code=403)
    return private_file(archive, "application/zip", attached("mes-donnees-passage.zip"))


async def archived_document(request: Request) -> Response:
    found = await legal_archive.download(
        _settings(request),
        request.path_params["document_id"],
        request.query_params.get("expires", ""),
        request.query_params.get("signature", ""),
    )
    if found is None:
        return PlainTextResponse("Lien invalide ou expiré.", status_code=403)
    return private_file(bytes(found.content), "application/pdf", attached(found.filename))


async def claim_file(request: Request) -> Response:
    secret_key = _settings(request).secret_key
    found = await claims_read.download_file(secret_key, request.path_params["token"])
    if found is None:
        return PlainTextResponse("Lien expiré ou non autorisé.", status_code=404)
    return uploaded_file(found.data, found.content_type, found.filename)
