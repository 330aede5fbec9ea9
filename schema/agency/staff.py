"""What agency staff set up and read: workers and the agency's clients."""

from __future__ import annotations

import strawberry

from resolvers.agency import staff
from schema.accounts.accounts import Client, Worker
from schema.core.common import (
    Connection,
    UserErrorType,
    connection_by_id,
    page_size,
    user_errors,
)
from schema.core.context import Info
from schema.core.ids import after_pk


@strawberry.input
class CreateWorkerInput:
    first_name: str
    last_name: str
    email: str
    phone: str
    password: str
    employee_number: str


@strawberry.type
class CreateWorkerPayload:
    worker: Worker | None
    user_errors: list[UserErrorType]


@strawberry.type
class StaffQueries:
    @strawberry.field(description="Clients of the viewer's agency (ADVISOR, ADMIN).")
    async def clients(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Client]:
        size = page_size(first)
        rows = await staff.list_clients(info.context.viewer, size, after_pk(after))
        return connection_by_id(rows, Client.from_model, size, after)


@strawberry.type
class StaffMutations:
    @strawberry.mutation(description="Creates a worker account in the admin's agency (ADMIN).")
    async def create_worker(self, info: Info, input: CreateWorkerInput) -> CreateWorkerPayload:
        result = await staff.create_worker(
            info.context.runtime,
            info.context.viewer,
            staff.WorkerData(
                first_name=input.first_name,
                last_name=input.last_name,
                email=input.email,
                phone=input.phone,
                password=input.password,
                employee_number=input.employee_number,
            ),
            info.context.meta,
        )
        worker = None
        if result.worker is not None:
            worker = Worker.from_model(result.worker, result.worker.account)
        return CreateWorkerPayload(worker=worker, user_errors=user_errors(result.user_errors))
