"""Signing in and out, devices, security history and passwords."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.accounts.security import SecurityEvent as SecurityEventModel
from models.accounts.security import Session as SessionModel
from models.enums import SecurityEventKind as SecurityEventKindEnum
from resolvers.accounts import passwords, sessions
from resolvers.core import guards
from schema.accounts.accounts import Account
from schema.core.common import (
    Connection,
    Node,
    UserErrorType,
    connection_by_id,
    page_size,
    user_errors,
)
from schema.core.context import Info
from schema.core.ids import after_pk, expect_id, to_global_id

SecurityEventKind = strawberry.enum(SecurityEventKindEnum, name="SecurityEventKind")


@strawberry.type(description="A device the account is signed in on.")
class Session(Node):
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    device: str = strawberry.field(description='e.g. "Firefox sur Linux".')
    network: str = strawberry.field(description="Truncated network, e.g. 192.0.2.0/24.")
    current: bool

    @classmethod
    def from_model(cls, session: SessionModel, current_id: int) -> Session:
        return cls(
            id=strawberry.ID(to_global_id("Session", session.id)),
            created_at=session.created_at,
            last_seen_at=session.last_seen_at,
            expires_at=session.expires_at,
            device=session.device,
            network=session.network,
            current=session.id == current_id,
        )


@strawberry.type
class SecurityEvent(Node):
    kind: SecurityEventKind  # type: ignore[valid-type]
    occurred_at: datetime
    device: str
    network: str

    @classmethod
    def from_model(cls, event: SecurityEventModel) -> SecurityEvent:
        return cls(
            id=strawberry.ID(to_global_id("SecurityEvent", event.id)),
            kind=event.kind,
            occurred_at=event.created_at,
            device=event.device,
            network=event.network,
        )


@strawberry.input
class LogInInput:
    email: str
    password: str


@strawberry.type
class LogInPayload:
    token: str | None = strawberry.field(
        description="Send as `Authorization: Bearer <token>`; over websockets in the "
        "connection_init payload. Keep it out of URLs and persistent storage."
    )
    account: Account | None
    user_errors: list[UserErrorType]


@strawberry.type
class LogOutPayload:
    ok: bool


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.input
class ResetPasswordInput:
    token: str
    new_password: str


@strawberry.type
class OkPayload:
    ok: bool
    user_errors: list[UserErrorType]


@strawberry.type
class SessionQueries:
    @strawberry.field(description="Devices the signed-in account is signed in on.")
    async def sessions(self, info: Info) -> list[Session]:
        viewer = guards.signed_in(info.context.viewer)
        rows = await sessions.list_sessions(info.context.runtime, viewer)
        return [Session.from_model(row, viewer.session_id) for row in rows]

    @strawberry.field(description="The signed-in account's security history, newest first.")
    async def security_events(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[SecurityEvent]:
        viewer = guards.signed_in(info.context.viewer)
        size = page_size(first)
        rows = await sessions.security_events(viewer, size + 1, after_pk(after))
        return connection_by_id(rows, SecurityEvent.from_model, size, after)


@strawberry.type
class SessionMutations:
    @strawberry.mutation(description="Same answer and timing whether the e-mail exists or not.")
    async def log_in(self, info: Info, input: LogInInput) -> LogInPayload:
        result = await sessions.log_in(
            info.context.runtime, input.email, input.password, info.context.meta
        )
        return LogInPayload(
            token=result.token,
            account=Account.from_model(result.account) if result.account else None,
            user_errors=user_errors(result.user_errors),
        )

    @strawberry.mutation(description="Ends the current session; its websockets close.")
    async def log_out(self, info: Info) -> LogOutPayload:
        ok = await sessions.log_out(info.context.runtime, info.context.viewer, info.context.meta)
        return LogOutPayload(ok=ok)

    @strawberry.mutation(description="Signs one of your devices out.")
    async def revoke_session(self, info: Info, id: strawberry.ID) -> LogOutPayload:
        viewer = guards.signed_in(info.context.viewer)
        await sessions.revoke_session(
            info.context.runtime, viewer, expect_id(id, "Session"), info.context.meta
        )
        return LogOutPayload(ok=True)

    @strawberry.mutation(description="Needs the current password; signs out other devices.")
    async def change_password(self, info: Info, input: ChangePasswordInput) -> OkPayload:
        viewer = guards.signed_in(info.context.viewer)
        errors = await passwords.change_password(
            info.context.runtime,
            viewer,
            input.current_password,
            input.new_password,
            info.context.meta,
        )
        return OkPayload(ok=not errors, user_errors=user_errors(errors))

    @strawberry.mutation(description="Always answers ok: nobody learns whether an e-mail exists.")
    async def request_password_reset(self, info: Info, email: str) -> OkPayload:
        await passwords.request_password_reset(info.context.runtime, email, info.context.meta)
        return OkPayload(ok=True, user_errors=[])

    @strawberry.mutation(description="Sets a new password with the e-mailed single-use token.")
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> OkPayload:
        errors = await passwords.reset_password(
            info.context.runtime, input.token, input.new_password, info.context.meta
        )
        return OkPayload(ok=not errors, user_errors=user_errors(errors))
