"""Access and portability (RGPD art. 15 and 20): a ZIP of a household's data.

Asked for on the API, built in the background by whichever process claims it first (a
claim older than STALE_CLAIM is taken over: the process building it died), stored a
while, downloaded through a short-lived signed link minted for its owner only.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import zipfile
from dataclasses import dataclass
from datetime import timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.accounts.people import Account, Client
from models.enums import DataExportStatus, EventType, PrivacyAction, Role
from models.privacy import DataExport
from notifications import texts
from notifications.notify import email_now
from resolvers.core import guards
from resolvers.core.errors import Forbidden, UserError, user_error
from resolvers.core.runtime import Runtime, Viewer
from resolvers.privacy import audit
from resolvers.privacy.registry import Household, domains
from services import tokens
from services.clock import utcnow
from services.config import Settings
from subscriptions import events

log = logging.getLogger("passage.privacy")
STALE_CLAIM = timedelta(minutes=10)
PER_DAY = 3
README = (
    "Vos données, telles que votre agence les conserve dans Passage.\n"
    "Un fichier JSON par domaine (compte, foyer, interventions, messages, évaluations,\n"
    "demandes, facturation) et les PDF des factures et attestations fiscales.\n"
)


@dataclass(frozen=True)
class ExportResult:
    export: DataExport | None
    user_errors: list[UserError]


async def _own_client(viewer: Viewer | None) -> Client:
    viewer = guards.signed_in(viewer)
    if viewer.role is not Role.CLIENT:
        raise Forbidden("Seul le foyer titulaire du compte peut exporter ses données.")
    client = await Client.get_or_none(account_id=viewer.account_id)
    if client is None:
        raise Forbidden()
    return client


async def request_export(rt: Runtime, viewer: Viewer | None) -> ExportResult:
    client = await _own_client(viewer)
    now = utcnow()
    recent = await DataExport.filter(client_id=client.id, requested_at__gte=now - timedelta(days=1))
    if any(e.status in (DataExportStatus.PENDING, DataExportStatus.RUNNING) for e in recent):
        return ExportResult(
            None, [user_error(None, "Un export est déjà en préparation.", "EXPORT_IN_PROGRESS")]
        )
    if len(recent) >= PER_DAY:
        return ExportResult(
            None, [user_error(None, "Trois exports par jour au plus.", "TOO_MANY_EXPORTS")]
        )
    async with in_transaction():
        export = await DataExport.create(
            account_id=client.account_id, client_id=client.id, requested_at=now
        )
        await audit.record(
            PrivacyAction.EXPORT_REQUESTED,
            agency_id=client.agency_id,
            client_id=client.id,
            subject_account_id=client.account_id,
            actor_account_id=client.account_id,
        )
    _kick(rt)
    return ExportResult(export, [])


_running: set[asyncio.Task[int]] = set()


def _kick(rt: Runtime) -> None:
    """Starts building now in this process; the loop of every process is the safety net."""
    task = asyncio.create_task(run_once(rt), name="data-export")
    _running.add(task)
    task.add_done_callback(_running.discard)


async def latest(viewer: Viewer | None) -> DataExport | None:
    client = await _own_client(viewer)
    return await DataExport.filter(client_id=client.id).order_by("-id").first()


def download_url(settings: Settings, export: DataExport) -> str | None:
    if export.status is not DataExportStatus.READY:
        return None
    path = f"/exports/{export.id}.zip"
    return settings.public_url + tokens.sign_link(
        settings.secret_key, path, settings.export_link_seconds
    )


async def build(export: DataExport) -> bytes:
    """The ZIP: README, one JSON per domain, the files domains add. Progress per domain."""
    client = await Client.get(id=export.client_id)
    household = Household(client.id, client.account_id, client.agency_id)
    buffer = io.BytesIO()
    registered = domains()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("LISEZMOI.txt", README)
        for index, domain in enumerate(registered, start=1):
            part = await domain.export(household)
            archive.writestr(
                f"{domain.name}.json",
                json.dumps(part.data, ensure_ascii=False, indent=2, default=str),
            )
            for name, content in part.files:
                archive.writestr(name, content)
            progress = int(index * 100 / (len(registered) + 1))
            await DataExport.filter(id=export.id).update(progress=progress)
    return buffer.getvalue()


async def _claim() -> DataExport | None:
    now = utcnow()
    candidate = (
        await DataExport.filter(
            Q(status=DataExportStatus.PENDING)
            | Q(status=DataExportStatus.RUNNING, claimed_at__lt=now - STALE_CLAIM)
        )
        .order_by("id")
        .first()
    )
    if candidate is None:
        return None
    claimed = await DataExport.filter(
        id=candidate.id, status=candidate.status, claimed_at=candidate.claimed_at
    ).update(status=DataExportStatus.RUNNING, claimed_at=now)
    return candidate if claimed else None


async def run_once(rt: Runtime) -> int:
    """Builds the exports waiting, one at a time; returns how many were built."""
    built = 0
    while (export := await _claim()) is not None:
        try:
            archive = await build(export)
        except Exception:
            log.exception("export %s failed", export.id)
            await DataExport.filter(id=export.id).update(status=DataExportStatus.FAILED)
            continue
        await _finish(rt, export, archive)
        built += 1
    return built


async def _finish(rt: Runtime, export: DataExport, archive: bytes) -> None:
    now = utcnow()
    client = await Client.get(id=export.client_id)
    account = await Account.get(id=export.account_id)
    async with in_transaction():
        await DataExport.filter(id=export.id).update(
            status=DataExportStatus.READY,
            progress=100,
            ready_at=now,
            expires_at=now + timedelta(hours=rt.settings.export_keep_hours),
            archive=archive,
            size_bytes=len(archive),
        )
        event = await events.record_event(
            EventType.DATA_EXPORT_READY,
            now,
            agency_id=client.agency_id,
            client_id=client.id,
            subject_id=export.id,
        )
        link = f"{rt.settings.link_base}/data-export"
        await email_now(
            account.email,
            texts.privacy.export_ready(account.first_name, link, rt.settings.export_keep_hours),
        )
    await events.publish(rt.bus, [event])
    rt.mailer.wake()


async def download(
    settings: Settings, export_id: int, expires: str, signature: str
) -> bytes | None:
    path = f"/exports/{export_id}.zip"
    if not tokens.check_link(settings.secret_key, path, expires, signature):
        return None
    export = await DataExport.get_or_none(id=export_id, status=DataExportStatus.READY)
    if export is None or export.archive is None:
        return None
    client = await Client.get(id=export.client_id)
    await audit.record(
        PrivacyAction.EXPORT_DOWNLOADED,
        agency_id=client.agency_id,
        client_id=client.id,
        subject_account_id=export.account_id,
    )
    return bytes(export.archive)


async def expire() -> int:
    """Drops archives past their time (run by the retention job)."""
    return await DataExport.filter(status=DataExportStatus.READY, expires_at__lt=utcnow()).update(
        status=DataExportStatus.EXPIRED, archive=None
    )
