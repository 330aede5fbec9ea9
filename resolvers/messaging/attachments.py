"""Files joined to messages: small images and PDFs, checked by their first bytes.

Files are stored in the database (table `message_attachment`), so any process
behind the load balancer serves them and a backup holds them. They are served
only through short-lived signed links (`/attachments/<token>`) that name the
account they were made for; the route checks again that this account may still
read the conversation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from urllib.parse import quote

from models.accounts.people import Account
from models.enums import AccountStatus
from models.messaging import MessageAttachment
from resolvers.core import guards
from resolvers.core.errors import UserError, user_error

MAX_ATTACHMENTS = 3
MAX_FILENAME = 120
_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)


@dataclass(frozen=True)
class Upload:
    filename: str
    content_base64: str


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    data: bytes


def sniff(data: bytes) -> str | None:
    """The content type told by the file's magic bytes, among those accepted."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def clean_filename(raw: str, content_type: str) -> str:
    name = _UNSAFE.sub("_", raw.strip()).strip("._ ")[:80] or "piece-jointe"
    extension = {
        "image/png": ".png",
        "image/jpeg": ".jpg",
        "image/webp": ".webp",
        "application/pdf": ".pdf",
    }[content_type]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem}{extension}"


def check_uploads(
    uploads: list[Upload], max_bytes: int
) -> tuple[list[CheckedFile], list[UserError]]:
    if len(uploads) > MAX_ATTACHMENTS:
        return [], [
            user_error("attachments", "Trois pièces jointes au plus.", "TOO_MANY_ATTACHMENTS")
        ]
    files: list[CheckedFile] = []
    errors: list[UserError] = []
    for index, upload in enumerate(uploads):
        field = f"attachments.{index}"
        if len(upload.filename) > MAX_FILENAME:
            errors.append(user_error(f"{field}.filename", "Nom trop long.", "TOO_LONG"))
            continue
        if len(upload.content_base64) > (max_bytes * 4) // 3 + 4:
            errors.append(_too_large(field, max_bytes))
            continue
        try:
            data = base64.b64decode(upload.content_base64, validate=True)
        except (binascii.Error, ValueError):
            errors.append(
                user_error(f"{field}.contentBase64", "Contenu base64 invalide.", "INVALID_BASE64")
            )
            continue
        if not data:
            errors.append(user_error(f"{field}.contentBase64", "Fichier vide.", "EMPTY_FILE"))
            continue
        if len(data) > max_bytes:
            errors.append(_too_large(field, max_bytes))
            continue
        content_type = sniff(data)
        if content_type is None:
            errors.append(
                user_error(
                    f"{field}.contentBase64",
                    "Seules les images PNG, JPEG, WebP et les PDF sont acceptés.",
                    "UNSUPPORTED_FILE_TYPE",
                )
            )
            continue
        files.append(CheckedFile(clean_filename(upload.filename, content_type), content_type, data))
    return files, errors


def _too_large(field: str, max_bytes: int) -> UserError:
    return user_error(
        f"{field}.contentBase64",
        f"Fichier trop volumineux ({max_bytes // 1000} ko au plus).",
        "FILE_TOO_LARGE",
    )


def content_disposition(filename: str) -> str:
    """A download header safe for any name: ASCII fallback plus the UTF-8 name (RFC 6266)."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def _signature(secret_key: str, payload: str, purpose: str = "attachment") -> str:
    mac = hmac.new(secret_key.encode(), f"{purpose}:{payload}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:20]).decode().rstrip("=")


def signed_token(
    secret_key: str, attachment_id: int, account_id: int, lifetime: int, purpose: str = "attachment"
) -> str:
    """A link's token; `purpose` keeps a message file's link from opening a claim's file."""
    payload = f"{attachment_id}.{account_id}.{int(time.time()) + lifetime}"
    return f"{payload}.{_signature(secret_key, payload, purpose)}"


def verify(secret_key: str, token: str, purpose: str = "attachment") -> tuple[int, int] | None:
    parts = token.split(".")
    if len(parts) != 4 or len(token) > 200:
        return None
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(parts[3], _signature(secret_key, payload, purpose)):
        return None
    try:
        attachment_id, account_id, expires = (int(p) for p in parts[:3])
    except ValueError:
        return None
    if expires < time.time():
        return None
    return attachment_id, account_id


async def visible_attachment_message_id(attachment_id: int) -> int | None:
    found = await MessageAttachment.filter(id=attachment_id).values_list("message_id", flat=True)
    return int(found[0]) if found else None  # type: ignore[call-overload]


async def download(secret_key: str, token: str) -> MessageAttachment | None:
    """The file behind a valid, unexpired link, if its account may still read it."""
    verified = verify(secret_key, token)
    if verified is None:
        return None
    attachment_id, account_id = verified
    attachment = await MessageAttachment.get_or_none(id=attachment_id).select_related(
        "message__conversation"
    )
    account = await Account.get_or_none(id=account_id, status=AccountStatus.ACTIVE)
    if attachment is None or account is None:
        return None
    conversation = attachment.message.conversation
    allowed = await guards.account_sees_household_row(
        account, conversation.agency_id, conversation.client_id
    )
    return attachment if allowed else None
