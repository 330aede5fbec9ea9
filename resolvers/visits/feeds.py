"""Secret calendar links: a client's or worker's visits as an .ics feed.

The link carries a random token (only its digest is stored); it works without
signing in, as calendar apps need, and stops working once revoked.
"""

from __future__ import annotations

from datetime import timedelta

from models.accounts.people import Account
from models.enums import AccountStatus, Role
from models.visits.visits import CalendarFeed, Intervention
from resolvers.core import guards
from resolvers.core.errors import Forbidden, NotFound
from resolvers.core.runtime import Runtime, Viewer
from resolvers.visits.calendar import scope
from services import ics
from services.clock import utcnow
from services.tokens import digest, new_token

PAST, AHEAD = timedelta(days=31), timedelta(days=92)
MAX_FEEDS = 5


def feed_url(rt: Runtime, token: str) -> str:
    return f"{rt.settings.public_url}/calendar/{token}.ics"


async def create(rt: Runtime, viewer: Viewer | None) -> tuple[CalendarFeed, str]:
    viewer = guards.signed_in(viewer)
    if viewer.role not in (Role.CLIENT, Role.WORKER):
        raise Forbidden("Les flux de calendrier sont pour les clients et les intervenants.")
    if (
        await CalendarFeed.filter(account_id=viewer.account_id, revoked_at=None).count()
        >= MAX_FEEDS
    ):
        raise Forbidden(f"{MAX_FEEDS} liens actifs au plus : révoquez-en un.")
    token = new_token("ics")
    feed = await CalendarFeed.create(
        account_id=viewer.account_id, token_hash=digest(token), created_at=utcnow()
    )
    return feed, feed_url(rt, token)


async def revoke(viewer: Viewer | None, feed_id: int) -> None:
    viewer = guards.signed_in(viewer)
    if not await CalendarFeed.filter(
        id=feed_id, account_id=viewer.account_id, revoked_at=None
    ).update(revoked_at=utcnow()):
        raise NotFound("Lien introuvable.")


async def list_feeds(viewer: Viewer | None) -> list[CalendarFeed]:
    viewer = guards.signed_in(viewer)
    return await CalendarFeed.filter(account_id=viewer.account_id, revoked_at=None).order_by("id")


async def render(token: str) -> bytes | None:
    """The feed's .ics body, or None when the link is unknown or revoked."""
    if not token.startswith("ics_") or len(token) > 100:
        return None
    feed = await CalendarFeed.get_or_none(token_hash=digest(token), revoked_at=None)
    if feed is None:
        return None
    account = await Account.get(id=feed.account_id)
    if account.status is not AccountStatus.ACTIVE:
        return None
    # The link stands for its owner, with the owner's own scope.
    viewer = Viewer(account.id, 0, account.role, account.agency_id, True)
    now = utcnow()
    rows = await (
        Intervention.filter(await scope(viewer))
        .filter(scheduled_start__gte=now - PAST, scheduled_start__lt=now + AHEAD)
        .order_by("scheduled_start")
        .limit(1000)
        .values(
            "id",
            "scheduled_start",
            "scheduled_end",
            "status",
            "instructions",
            "service_type__label",
            "address__line1",
            "address__postal_code",
            "address__city",
            "worker__account__first_name",
        )
    )
    items = [
        ics.FeedItem(
            uid=f"intervention-{row['id']}@passage",
            start=row["scheduled_start"],
            end=row["scheduled_end"],
            summary=row["service_type__label"]
            + (f" — {row['worker__account__first_name']}" if account.role is Role.CLIENT else ""),
            location=f"{row['address__line1']}, "
            f"{row['address__postal_code']} {row['address__city']}",
            status=str(row["status"]),
            description=row["instructions"],
        )
        for row in rows
    ]
    return ics.render("Passage — interventions", items, now)
