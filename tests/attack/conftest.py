"""The summary `make attack` ends with: one line per family, tried and failed."""

from __future__ import annotations

from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.attack.long_run import RESULTS

    if not RESULTS:
        return
    terminalreporter.section("attack families")
    for family, (tried, failed) in RESULTS.items():
        terminalreporter.write_line(f"{family:<22} tried {tried:>5}  failed {failed}")
