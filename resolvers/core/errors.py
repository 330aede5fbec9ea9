"""Errors a use case can raise, and the user errors it can return.

Exceptions carry `extensions` so graphql-core copies the code into the response.
Expected failures of a mutation are returned as `UserError`s instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class DomainError(Exception):
    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.extensions: dict[str, Any] = {"code": self.code, **extra}


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "Authentification requise.") -> None:
        super().__init__(message)


class Forbidden(DomainError):
    code = "FORBIDDEN"

    def __init__(self, message: str = "Action non autorisée.") -> None:
        super().__init__(message)


class NotFound(DomainError):
    code = "NOT_FOUND"

    def __init__(self, message: str = "Introuvable.") -> None:
        super().__init__(message)


class BadInput(DomainError):
    code = "BAD_USER_INPUT"


class RateLimited(DomainError):
    code = "RATE_LIMITED"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            "Trop de tentatives. Réessayez plus tard.", retryAfterSeconds=retry_after_seconds
        )


@dataclass(frozen=True)
class UserError:
    field: list[str] | None
    message: str
    code: str


def user_error(field: str | None, message: str, code: str) -> UserError:
    return UserError(field=field.split(".") if field else None, message=message, code=code)
