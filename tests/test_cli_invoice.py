"""`passage invoice --month YYYY-MM [--agency ID]`: the invoicing run from the command line."""

from __future__ import annotations

from tests.test_cli import Cli, last_line, migrated  # noqa: F401  (the shared fixture)


def test_the_invoice_command_runs_and_checks_its_arguments(migrated: Cli) -> None:  # noqa: F811
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
