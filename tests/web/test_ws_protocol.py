"""The lighter parts of the websocket protocol (web/ws_protocol.py) behave as the asyncio
objects they replace, for what uvicorn calls (tests/engine/test_compat.py checks that list).

Sockets in the other suites rarely fill their transport, so flow control is driven here
directly: a send that waits while the transport is full, and wakes when it drains.
"""

from __future__ import annotations

import asyncio

import pytest

from web.ws_protocol import _Gate, _Inbox


async def test_the_gate_lets_through_while_open_and_holds_senders_while_closed():
    gate = _Gate()
    assert gate.is_set()
    assert await gate.wait() is True  # open: no wait
    gate.clear()
    assert not gate.is_set()
    senders = [asyncio.create_task(gate.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(task.done() for task in senders)
    gate.set()  # the transport drained: every waiting send goes on
    assert await asyncio.gather(*senders) == [True, True, True]
    assert gate.is_set()


async def test_a_sender_cancelled_while_waiting_leaves_the_gate_clean():
    gate = _Gate()
    gate.clear()
    cancelled = asyncio.create_task(gate.wait())
    waiting = asyncio.create_task(gate.wait())
    await asyncio.sleep(0)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert gate._waiters is not None and len(gate._waiters) == 1
    gate.set()
    assert await waiting is True
    assert gate._waiters is None


async def test_the_inbox_hands_messages_over_in_order_and_waits_when_empty():
    inbox = _Inbox()
    assert inbox.empty()
    getter = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    assert not getter.done()
    inbox.put_nowait({"type": "websocket.connect"})
    inbox.put_nowait({"type": "websocket.receive", "text": "1"})
    assert await getter == {"type": "websocket.connect"}
    assert not inbox.empty()
    assert await inbox.get() == {"type": "websocket.receive", "text": "1"}
    assert inbox.empty()
