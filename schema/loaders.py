"""DataLoaders, created once per request, named `<Thing>By<Key>Loader`."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from models.accounts import Account, Agency
from models.billing import InvoiceLine
from resolvers import invoices, lookups


def AgencyByIdLoader() -> DataLoader[int, Agency | None]:
    return DataLoader(load_fn=lookups.agencies_by_ids)


def AccountByIdLoader() -> DataLoader[int, Account | None]:
    return DataLoader(load_fn=lookups.accounts_by_ids)


def InvoiceLinesByInvoiceLoader() -> DataLoader[int, list[InvoiceLine]]:
    return DataLoader(load_fn=invoices.lines_by_invoice)


@dataclass
class Loaders:
    agency_by_id: DataLoader[int, Agency | None] = field(default_factory=AgencyByIdLoader)
    account_by_id: DataLoader[int, Account | None] = field(default_factory=AccountByIdLoader)
    invoice_lines_by_invoice: DataLoader[int, list[InvoiceLine]] = field(
        default_factory=InvoiceLinesByInvoiceLoader
    )
