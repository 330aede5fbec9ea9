"""`make test-clock`: the date-sensitive tests (marker `clock`) once at each given instant.

    python -m tests.clock_runs [--jobs N] INSTANT... [-- PYTEST_ARGS...]

Each instant is a pytest process of its own with PASSAGE_TEST_NOW set (tests/clock.py), on
SQLite and the memory bus, `--jobs` of them at a time. One line per instant as it ends;
then the end of the output of each instant that failed. Exits 1 when any failed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

import pytest

from tests.clock import ENV, instant_from

COUNTED = ("passed", "failed", "error")
TAIL_LINES = 800  # of a failed instant's output: its failures and short summary


@dataclass(frozen=True)
class Outcome:
    instant: str
    status: int
    output: str
    seconds: float

    def count(self, word: str) -> int:
        """How many tests the closing line counts as `word` (passed, failed, error)."""
        found = re.search(rf"(\d+) {word}", self.summary)
        return int(found.group(1)) if found else 0

    @property
    def summary(self) -> str:
        lines = [line for line in self.output.splitlines() if line.strip()]
        return lines[-1].strip("= ") if lines else "no output"


def run(instant: str, pytest_args: list[str]) -> Outcome:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TEST_")}
    env[ENV] = instant
    command = [sys.executable, "-m", "pytest", "-q", "-m", "clock", "-p", "no:cacheprovider"]
    started = time.monotonic()
    done = subprocess.run(
        [*command, *pytest_args], env=env, capture_output=True, text=True, check=False
    )
    return Outcome(instant, done.returncode, done.stdout + done.stderr, time.monotonic() - started)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    cut = argv.index("--") if "--" in argv else len(argv)
    ours, pytest_args = argv[:cut], argv[cut + 1 :]
    parser = argparse.ArgumentParser(prog="python -m tests.clock_runs")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("instants", nargs="+")
    options = parser.parse_args(ours)
    try:
        for instant in options.instants:
            instant_from(instant)  # refused before anything runs
    except pytest.UsageError as refused:
        parser.error(str(refused))
    started = time.monotonic()
    outcomes = []
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        runs = [pool.submit(run, instant, pytest_args) for instant in options.instants]
        for finished in as_completed(runs):
            outcome = finished.result()
            outcomes.append(outcome)
            verdict = "ok" if outcome.status == 0 else "FAILED"
            print(
                f"clock at {outcome.instant}: {verdict}: {outcome.summary} "
                f"({outcome.seconds:.0f} s)",
                flush=True,
            )
    for outcome in outcomes:
        if outcome.status != 0:
            tail = "\n".join(outcome.output.splitlines()[-TAIL_LINES:])
            print(f"\n===== end of the output at {outcome.instant} =====\n{tail}")
    failed = sum(outcome.status != 0 for outcome in outcomes)
    print(f"{len(outcomes)} instants in {time.monotonic() - started:.0f} s, {failed} failed")
    tests = {word: sum(outcome.count(word) for outcome in outcomes) for word in COUNTED}
    print(f"clock: {tests['passed']} passed, {tests['failed'] + tests['error']} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
