"""Sockets end with their session: logged out, revoked anywhere, the password changed or
reset, or expired while open; and they leave nothing behind."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.accounts.security import Session
from services.clock import utcnow
from services.tokens import digest
from tests.factories import PASSWORD
from tests.mailbox import token_in
from tests.subscriptions.factories import (
    connected,
    connections_ended,
    result_of,
    session_id,
    signed_in,
    still_open,
)

ME = "query { me { id email } }"
SESSIONS = "query { sessions { id current } }"
NEW_PASSWORD = "Nouveau-Secret9?x"

LOG_OUT = "mutation { logOut { ok } }"
REVOKE_SESSION = "mutation Revoke($id: ID!) { revokeSession(id: $id) { ok } }"
CHANGE_PASSWORD = """
mutation Change($input: ChangePasswordInput!) {
  changePassword(input: $input) { ok userErrors { code } }
}
"""
REQUEST_RESET = "mutation Ask($email: String!) { requestPasswordReset(email: $email) { ok } }"
RESET_PASSWORD = """
mutation Reset($input: ResetPasswordInput!) {
  resetPassword(input: $input) { ok userErrors { code } }
}
"""


async def test_logging_out_closes_the_sessions_sockets(api, server, home_agency):
    _, [token, other] = await signed_in(api, sessions=2)
    sockets = server.app.state.sockets
    first, second = await connected(api, token), await connected(api, token)
    bystander = await connected(api, other)
    assert await session_id(token) in sockets.session_ids()

    assert (await api.data(LOG_OUT, token=token))["logOut"] == {"ok": True}
    assert await first.closed_with() == 4403
    assert await second.closed_with() == 4403
    assert await session_id(token) not in sockets.session_ids()
    assert await still_open(bystander)
    await bystander.close()


async def test_logging_out_over_the_socket_closes_it(api, home_agency):
    _, [token] = await signed_in(api)
    ws = await connected(api, token)
    await ws.subscribe(LOG_OUT)
    assert await ws.closed_with() == 4403


async def test_revoking_a_session_closes_its_sockets_only(api, home_agency):
    _, [laptop, phone] = await signed_in(api, sessions=2)
    laptop_ws, phone_ws = await connected(api, laptop), await connected(api, phone)
    [phone_session] = [
        s for s in (await api.data(SESSIONS, token=laptop))["sessions"] if not s["current"]
    ]

    await api.data(REVOKE_SESSION, {"id": phone_session["id"]}, token=laptop)
    assert await phone_ws.closed_with() == 4403
    assert await still_open(laptop_ws)
    await laptop_ws.close()


async def test_changing_the_password_closes_the_other_sessions_sockets(api, home_agency):
    email, [here, elsewhere] = await signed_in(api, sessions=2)
    here_ws, elsewhere_ws = await connected(api, here), await connected(api, elsewhere)

    variables = {"input": {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}}
    changed = await result_of(here_ws, CHANGE_PASSWORD, variables)
    assert changed["data"]["changePassword"] == {"ok": True, "userErrors": []}
    assert await elsewhere_ws.closed_with() == 4403
    assert (await result_of(here_ws, ME))["data"]["me"]["email"] == email
    await here_ws.close()


async def test_resetting_the_password_closes_every_socket_of_the_account(api, mailbox, home_agency):
    email, [first, second] = await signed_in(api, sessions=2)
    sockets = [await connected(api, first), await connected(api, second)]
    await api.data(REQUEST_RESET, {"email": email})
    token = token_in(await mailbox.wait_for(email, "Réinitialisation"))

    reset = await api.data(RESET_PASSWORD, {"input": {"token": token, "newPassword": NEW_PASSWORD}})
    assert reset["resetPassword"] == {"ok": True, "userErrors": []}
    for ws in sockets:
        assert await ws.closed_with() == 4403


async def test_a_revocation_reaches_sockets_held_by_another_process(
    api, start, settings, home_agency
):
    if not settings.broadcast_url.startswith("redis"):
        pytest.skip("memory:// carries news within one process only; needs Redis")
    other = await start(settings)
    try:
        _, [token] = await signed_in(api)
        ws = await connected(other.api, token)
        # Signed out through the first server; the socket lives on the second.
        await api.data(LOG_OUT, token=token)
        assert await ws.closed_with() == 4403
    finally:
        await other.stop()


@pytest.mark.parametrize("ended", ["expired", "idle"])
async def test_the_sweep_closes_sockets_whose_session_ran_out(
    api, start, settings, home_agency, ended
):
    running = await start(settings.with_(session_sweep_seconds=0.2))
    try:
        _, [live, ending] = await signed_in(api, sessions=2)
        # Connected first, so each sweep checks it before the ending one.
        live_ws = await connected(running.api, live)
        ending_ws = await connected(running.api, ending)
        assert await still_open(ending_ws)

        sessions = Session.filter(token_hash=digest(ending))
        if ended == "expired":
            await sessions.update(expires_at=utcnow() - timedelta(seconds=1))
        else:
            idle = timedelta(minutes=settings.session_idle_minutes, seconds=1)
            await sessions.update(last_seen_at=utcnow() - idle)
        assert await ending_ws.closed_with() == 4403
        # The sweep that closed it had already looked at the live session.
        assert await still_open(live_ws)
        assert running.app.state.sockets.session_ids() == [await session_id(live)]
        await live_ws.close()
    finally:
        await running.stop()


async def test_sockets_that_go_away_leave_nothing_behind(api, start, settings, home_agency):
    running = await start(settings)
    sockets = running.app.state.sockets
    try:
        _, [token, revoked] = await signed_in(api, sessions=2)
        clean = await connected(running.api, token)
        dropped = await connected(running.api, token)
        ended = await connected(running.api, revoked)  # left open: the revocation closes it
        anonymous = await connected(running.api)
        assert len(sockets) == 3
        assert sorted(sockets.session_ids()) == sorted(
            [await session_id(token), await session_id(revoked)]
        )

        await clean.close()
        dropped.connection.transport.abort()  # no close frame: the TCP link just drops
        await anonymous.close()
        # Through this server: memory:// only carries news within one app.
        await running.api.data(LOG_OUT, token=revoked)
        assert await ended.closed_with() == 4403
        await connections_ended(running)
        assert len(sockets) == 0
        assert sockets.session_ids() == []
    finally:
        await running.stop()


async def test_the_sweep_reads_sessions_in_batches(api, server, settings, home_agency):
    """Thousands of open sockets: the sweep's statements come by batch, and say the same."""
    from resolvers.accounts.sessions import SWEEP_BATCH, live_sessions

    _, tokens = await signed_in(api, sessions=3)
    live, revoked, expired = [await session_id(token) for token in tokens]
    await Session.filter(id=revoked).update(revoked_at=utcnow())
    await Session.filter(id=expired).update(expires_at=utcnow() - timedelta(seconds=1))
    unknown = list(range(10**8, 10**8 + 2 * SWEEP_BATCH))
    asked = [*unknown[:SWEEP_BATCH], revoked, live, *unknown[SWEEP_BATCH:], expired]
    assert await live_sessions(server.app.state.runtime, asked) == {live}
    assert await live_sessions(server.app.state.runtime, []) == set()
