"""Password policy and argon2id hashing.

Policy (seed: "Shiva impose la combinaison de lettres, chiffres et caractères
spéciaux"): letters, digits and a special character, at least 12 characters,
up to 128 accepted and never truncated, and none of the 30,000 most common
passwords, even dressed up with digits or symbols around them.
"""

from __future__ import annotations

import asyncio
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from services import password_strength as strength

MIN_LENGTH = 12
MAX_LENGTH = 128
# Seed: "actualiser ce mot de passe tous les six mois" — recommended, never enforced.
RECOMMENDED_CHANGE_DAYS = 182


@dataclass(frozen=True)
class PolicyViolation:
    code: str
    message: str


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("services").joinpath("data/common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def check_policy(
    password: str, *, personal: tuple[str, ...] = (), email: str = ""
) -> list[PolicyViolation]:
    """Every rule the password breaks, in French, ready to show as user errors.

    `personal`: the account's names (and any other word of its own); `email`: its address,
    whose local part and domain labels count as personal too.
    """
    problems: list[PolicyViolation] = []
    normalized = unicodedata.normalize("NFC", password)
    if len(normalized) < MIN_LENGTH:
        problems.append(PolicyViolation("PASSWORD_TOO_SHORT", f"Au moins {MIN_LENGTH} caractères."))
    if len(normalized) > MAX_LENGTH:
        problems.append(PolicyViolation("PASSWORD_TOO_LONG", f"Au plus {MAX_LENGTH} caractères."))
    if not any(c.isalpha() for c in normalized):
        problems.append(PolicyViolation("PASSWORD_NEEDS_LETTER", "Au moins une lettre."))
    if not any(c.isdigit() for c in normalized):
        problems.append(PolicyViolation("PASSWORD_NEEDS_DIGIT", "Au moins un chiffre."))
    if all(c.isalnum() for c in normalized):
        problems.append(PolicyViolation("PASSWORD_NEEDS_SPECIAL", "Au moins un caractère spécial."))
    if len(normalized) > MAX_LENGTH:
        return problems  # not worth reading further
    if strength.is_common(normalized, common_passwords()):
        problems.append(PolicyViolation("PASSWORD_TOO_COMMON", "Ce mot de passe est trop répandu."))
    parts = strength.personal_parts(personal, email)
    if strength.is_personal(normalized, parts):
        problems.append(
            PolicyViolation(
                "PASSWORD_CONTAINS_PERSONAL_DATA",
                "Le mot de passe ne doit pas contenir votre nom ou votre e-mail.",
            )
        )
    if not problems and strength.is_guessable(normalized, parts):
        problems.append(
            PolicyViolation("PASSWORD_TOO_GUESSABLE", "Ce mot de passe est trop facile à deviner.")
        )
    return problems


class PasswordService:
    """argon2id off the event loop, with a cap on simultaneous hashes.

    A hash costs ~19 MiB and tens of milliseconds of CPU: unbounded, a burst of
    sign-ins would exhaust memory and starve every other request.
    """

    def __init__(self, memory_kib: int, time_cost: int, parallelism: int, concurrency: int):
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        """Checks the password; with no stored hash, burns the same time and fails."""
        if stored_hash is None:
            if self._dummy is None:
                self._dummy = await self.hash("dummy password, never matches")
            stored_hash = self._dummy
            password = password + "\x00never"
        async with self._slots:
            try:
                return await asyncio.to_thread(self._hasher.verify, stored_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)
