"""The retention job: positions dropped after their period, inactive households warned
then kept if they come back, and one run per period across processes."""

from __future__ import annotations

from datetime import timedelta

from models.accounts.people import Account
from models.accounts.security import Session
from models.enums import DeletionReason, DeletionStatus, InterventionStatus
from models.privacy import AccountDeletion, JobClaim
from resolvers.privacy import retention
from services.clock import utcnow
from tests import factories
from tests.billing import factories as bh


async def test_positions_are_dropped_after_their_period(api, settings, server):
    t = await bh.team(api, settings)
    now = utcnow()
    old = await bh.visit(
        t, now - timedelta(days=90), worked=(0, 60), check_in_latitude=48.8, check_in_longitude=2.3
    )
    recent = await bh.visit(
        t, now - timedelta(days=10), worked=(0, 60), check_in_latitude=48.8, check_in_longitude=2.3
    )
    await retention.run_once(server.app.state.runtime, force=True)
    await old.refresh_from_db()
    await recent.refresh_from_db()
    assert old.check_in_latitude is None and old.checked_in_at is not None
    assert recent.check_in_latitude == 48.8
    assert old.status == InterventionStatus.COMPLETED


async def test_an_inactive_household_is_warned_and_kept_if_it_comes_back(
    api, settings, server, mailbox
):
    t = await bh.team(api, settings)
    served = await bh.team(api, settings)  # never signs in, but still receives visits
    await bh.visit(served, utcnow() - timedelta(days=20), worked=(0, 60))
    account = await Account.get(email=t.client_email)
    long_ago = utcnow() - timedelta(days=settings.inactive_household_days + 5)
    for email in (t.client_email, served.client_email):
        await Account.filter(email=email).update(created_at=long_ago)
        await Session.filter(account__email=email).update(
            last_seen_at=long_ago, created_at=long_ago
        )
    factories.sessions_changed()
    runtime = server.app.state.runtime
    await retention.run_once(runtime, force=True)
    warned = await AccountDeletion.get(account_id=account.id)
    assert warned.reason == DeletionReason.INACTIVITY
    assert warned.status == DeletionStatus.SCHEDULED
    await mailbox.wait_for(t.client_email, "Votre compte inactif va être supprimé")
    assert not await AccountDeletion.filter(account__email=served.client_email).exists()
    await retention.run_once(runtime, force=True)
    assert await AccountDeletion.filter(account_id=account.id).count() == 1  # warned once

    await factories.log_in(api, t.client_email)
    await retention.run_once(runtime, force=True)
    again = await AccountDeletion.get(id=warned.id)
    assert again.status == DeletionStatus.CANCELLED


async def test_the_job_runs_once_per_period_across_processes(server):
    now = utcnow()
    await JobClaim.filter(name="test-claim").delete()
    period = timedelta(minutes=5)
    assert await retention.claim("test-claim", period, now) is True
    assert await retention.claim("test-claim", period, now) is False
    assert await retention.claim("test-claim", period, now + period) is True
