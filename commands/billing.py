"""invoice: the completed visits of a past month, for one agency or all (safe to re-run)."""

from __future__ import annotations

import argparse
import asyncio

from commands import with_db
from services.config import Settings


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    invoice = commands.add_parser(
        "invoice", help="invoice the completed visits of a past month (safe to re-run)"
    )
    invoice.add_argument("--month", required=True, help="YYYY-MM")
    invoice.add_argument("--agency", default=None, help="an agency's global id (default: all)")
    invoice.set_defaults(run=_run)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    for line in asyncio.run(with_db(settings, lambda: _invoice(args))):
        print(line)
    return 0


async def _invoice(args: argparse.Namespace) -> list[str]:
    from models.accounts.people import Agency
    from resolvers.agency.identity import IncompleteIdentity
    from resolvers.billing.invoicing import run_month
    from resolvers.billing.months import Month
    from resolvers.core.errors import BadInput
    from schema.core.ids import expect_id, to_global_id
    from services.billing import money

    month = Month.parse(args.month)
    if args.agency:
        try:
            agency_ids = [expect_id(args.agency.strip(), "Agency")]
        except BadInput:
            raise BadInput(f"--agency: {args.agency!r} is not an agency id") from None
    else:
        agency_ids = [row["id"] for row in await Agency.all().order_by("id").values("id")]
    lines, refused = [], []
    for agency_id in agency_ids:
        try:
            created = await run_month(int(agency_id), month)
        except IncompleteIdentity as exc:  # the other agencies are invoiced all the same
            refused.append(f"{to_global_id('Agency', int(agency_id))}: {exc}")
            continue
        lines += [f"{invoice.number} {money(invoice.total_incl_cents)}" for invoice in created]
    lines.append(f"{len(lines)} invoice(s) issued for {month}")
    if refused:
        for line in lines:
            print(line)
        raise BadInput("refused for " + "; ".join(refused))
    return lines
