"""`passage invoice --month YYYY-MM [--agency ID]`: the invoicing run from the command line."""

from __future__ import annotations

import asyncio
import os
import subprocess

from tests.billing import factories as bh
from tests.billing.factories import paris
from tests.cli.commands import COMMAND_TIMEOUT, PASSAGE, Cli, last_line
from tests.factories import agency_gid


def test_the_invoice_command_runs_and_checks_its_arguments(migrated: Cli) -> None:
    agency = migrated.agencies["13"]
    out = migrated.ok("invoice", "--month", "2026-10", "--agency", agency)
    assert last_line(out) == "0 invoice(s) issued for 2026-10"
    assert last_line(migrated.ok("invoice", "--month", "2026-09")) == (
        "0 invoice(s) issued for 2026-09"
    )
    for args in (
        ["--month", "2026-13"],
        ["--month", "2999-01"],
        ["--month", "2026-10", "--agency", "nope"],
    ):
        result = migrated.run("invoice", *args)
        assert result.returncode == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith("passage: ")
    assert migrated.run("invoice").returncode == 2  # --month is required


async def test_the_invoice_command_issues_invoices_once(api, settings, tmp_path) -> None:
    t = await bh.team(api, settings)
    await bh.visit(t, paris(2026, 4, 7, 9), worked=(0, 120))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DATABASE_URL": settings.database_url,
        "PASSAGE_VAR_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    args = [*PASSAGE, "invoice", "--month", "2026-04", "--agency", agency_gid(t.agency_id)]

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False
        )

    first = await asyncio.to_thread(run)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        "F2026-000001 66.00",
        "1 invoice(s) issued for 2026-04",
    ]
    again = await asyncio.to_thread(run)
    assert again.stdout.splitlines() == ["0 invoice(s) issued for 2026-04"]
    [invoice] = await bh.invoices(api, t.client_token)
    assert (invoice["number"], invoice["amountDue"]) == ("F2026-000001", "66.00")
