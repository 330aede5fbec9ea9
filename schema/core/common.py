"""Shapes shared by every domain: Node, connections, user errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import strawberry

from resolvers.core.errors import BadInput, UserError
from schema.core.ids import cursor_for

if TYPE_CHECKING:
    from schema.engine.rows import RowType

MAX_PAGE = 100
DEFAULT_PAGE = 20

T = TypeVar("T")


class _Keyed(Protocol):
    @property
    def id(self) -> int: ...


R = TypeVar("R", bound=_Keyed)


@strawberry.interface(description="An object with a global, opaque id.")
class Node:
    id: strawberry.ID


@strawberry.type(name="UserError", description="An expected failure, tied to an input field.")
class UserErrorType:
    field: list[str] | None = strawberry.field(
        description="Path of the input field at fault, e.g. ['billingAddress', 'postalCode']."
    )
    message: str = strawberry.field(description="French, ready to show to the user.")
    code: str = strawberry.field(description="Stable, machine-readable reason.")

    @classmethod
    def from_error(cls, error: UserError) -> UserErrorType:
        return cls(field=error.field, message=error.message, code=error.code)


def user_errors(errors: list[UserError]) -> list[UserErrorType]:
    return [UserErrorType.from_error(error) for error in errors]


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo


def page_size(first: int | None) -> int:
    """`first` checked against the limit every connection shares."""
    if first is None:
        return DEFAULT_PAGE
    if not 0 <= first <= MAX_PAGE:
        raise BadInput(f"`first` doit être compris entre 0 et {MAX_PAGE}.")
    return first


def connection(nodes: list[T], cursors: list[str], size: int, has_previous: bool) -> Connection[T]:
    """Builds a page from `size + 1` fetched rows: the extra one only says there is more."""
    has_next = len(nodes) > size
    nodes, cursors = nodes[:size], cursors[:size]
    return Connection(
        edges=[Edge(cursor=c, node=n) for n, c in zip(nodes, cursors, strict=True)],
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        ),
    )


def connection_by_id(
    rows: Sequence[R], node: Callable[[R], T], size: int, after: str | None
) -> Connection[T]:
    """A page of rows read after the row `after` names: each row's cursor is its id."""
    return connection(
        [node(row) for row in rows], [cursor_for(row.id) for row in rows], size, after is not None
    )


@dataclass(frozen=True)
class Page:
    """A page read as rows, `size + 1` at most (the extra one only says there is more),
    with a cursor for each: what a connection is made of, as objects or as JSON."""

    rows: Sequence[Mapping[str, Any]]
    cursors: list[str]
    size: int
    has_previous: bool

    def connection(self, rows: RowType[T]) -> Connection[T]:
        return connection(rows.build_all(self.rows), self.cursors, self.size, self.has_previous)

    @classmethod
    def by_id(cls, rows: Sequence[Mapping[str, Any]], size: int, after: str | None) -> Page:
        """Rows read after the row `after` names: each row's cursor is its id (as
        `connection_by_id` for objects)."""
        return cls(rows, [cursor_for(row["id"]) for row in rows], size, after is not None)
