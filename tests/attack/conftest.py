"""The summary `make attack` ends with: one line per family, tried and failed.

Hypothesis (under schemathesis) keeps its files in the run's temporary directory, not in
the working tree.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis.configuration import set_hypothesis_home_dir


@pytest.fixture(scope="session", autouse=True)
def _hypothesis_files(tmp_path_factory: pytest.TempPathFactory) -> None:
    set_hypothesis_home_dir(tmp_path_factory.mktemp("hypothesis"))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.attack.long_run import RESULTS

    if not RESULTS:
        return
    terminalreporter.section("attack families")
    for family, (tried, failed) in RESULTS.items():
        terminalreporter.write_line(f"{family:<22} tried {tried:>5}  failed {failed}")
