"""A stuck test fails, with the stacks that tell where it is stuck.

pytest-timeout's signal method (`timeout` in pyproject.toml) fails a test that runs too long;
here its timer also prints the stack of every asyncio task of the running loop (the server's
requests, the test's own awaits) and of every thread, since a hang in this suite is almost
always an await that never returns. If the failure cannot be raised (the main thread stuck in
C code, where no signal handler runs), a watchdog thread dumps the stacks a minute later and
ends the process with status 1 rather than let the run hang.
"""

from __future__ import annotations

import asyncio
import faulthandler
import io
import os
import signal
import sys
import threading
import traceback
from typing import Any

import pytest

GRACE_SECONDS = 60


def task_stacks() -> str:
    """The stack of each task of the loop running in this thread, if any."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return "(no running event loop)\n"
    out = io.StringIO()
    for task in sorted(asyncio.all_tasks(loop), key=lambda t: t.get_name()):
        out.write(f"--- {task.get_name()}: {task.get_coro()!r}\n")
        task.print_stack(file=out)
    return out.getvalue()


def _report(item: pytest.Item, title: str, text: str) -> None:
    terminal = item.config.get_terminal_writer()
    terminal.sep("+", title=title)
    terminal.write(text)
    terminal.flush()


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> bool | None:
    if settings.method != "signal" or threading.current_thread() is not threading.main_thread():
        return None  # pytest-timeout's own thread method
    seconds = float(settings.timeout)

    def watchdog() -> None:
        sys.stderr.write(f"\n{item.nodeid}: still stuck {GRACE_SECONDS} s after its timeout\n")
        faulthandler.dump_traceback(all_threads=True)
        sys.stderr.flush()
        os._exit(1)

    backstop = threading.Timer(seconds + GRACE_SECONDS, watchdog)
    backstop.daemon = True

    def handler(signum: int, frame: Any) -> None:
        __tracebackhide__ = True
        _report(item, f"Timeout after {seconds:g} s: asyncio tasks", task_stacks())
        threads = io.StringIO()
        for ident, stack in sys._current_frames().items():
            if ident != threading.get_ident():
                threads.write(f"--- thread {ident}\n")
                threads.write("".join(traceback.format_stack(stack)))
        _report(item, "Timeout: other threads", threads.getvalue())
        pytest.fail(f"Timeout after {seconds:g} s (stacks above)")

    def cancel() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        backstop.cancel()

    item.cancel_timeout = cancel  # type: ignore[attr-defined]
    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    backstop.start()
    return True
