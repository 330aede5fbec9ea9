"""The password rules and the argon2id hasher, without a server."""

from __future__ import annotations

import unicodedata

import pytest
from argon2 import PasswordHasher

from services.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    PasswordService,
    check_policy,
    common_passwords,
)

STRONG = "Cheval-Agrafe7-Correct"


def codes(password: str, personal: tuple[str, ...] = ()) -> list[str]:
    return [problem.code for problem in check_policy(password, personal=personal)]


@pytest.fixture
def service() -> PasswordService:
    return PasswordService(memory_kib=1024, time_cost=1, parallelism=1, concurrency=2)


def test_a_long_mixed_password_passes():
    assert check_policy(STRONG) == []
    assert check_policy("Ma maison a 3 volets bleus") == []  # spaces count as special


def test_every_problem_comes_in_french():
    problems = check_policy("azerty")
    assert [p.code for p in problems] == [
        "PASSWORD_TOO_SHORT",
        "PASSWORD_NEEDS_DIGIT",
        "PASSWORD_NEEDS_SPECIAL",
        "PASSWORD_TOO_COMMON",
    ]
    assert problems[0].message == "Au moins 12 caractères."


def test_length_is_12_to_128_characters():
    assert (MIN_LENGTH, MAX_LENGTH) == (12, 128)
    assert codes("Kvj-Prl9-Wxq") == []
    assert codes("Kvj-Prl9-Wx") == ["PASSWORD_TOO_SHORT"]
    filler = "Zephyr-Kumquat-Jovial-Gnocchi-Bruxelles-" * 4
    assert codes("A1!" + filler[:125]) == []
    assert codes("A1!" + filler[:126]) == ["PASSWORD_TOO_LONG"]


def test_length_counts_characters_not_code_points():
    # "é" typed as e + combining accent is one character.
    decomposed = unicodedata.normalize("NFD", "Été-Déjà-1!")
    assert len(decomposed) >= MIN_LENGTH
    assert codes(decomposed) == ["PASSWORD_TOO_SHORT"]


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("sans-chiffres-ici!", "PASSWORD_NEEDS_DIGIT"),
        ("2024-1515-9999!", "PASSWORD_NEEDS_LETTER"),
        ("SansSpecial12345", "PASSWORD_NEEDS_SPECIAL"),
    ],
)
def test_letters_digits_and_a_special_character_are_required(password, code):
    assert codes(password) == [code]


@pytest.mark.parametrize(
    "password",
    [
        "password",
        "Password123!",
        "P@ssw0rd1234!",
        "!!Azerty2024??",
        "Motdepasse-2024",
        "Qwerty123456!!",
        "SOLEIL-12345678",
    ],
)
def test_common_passwords_are_refused_even_dressed_up(password):
    assert "PASSWORD_TOO_COMMON" in codes(password)


def test_a_common_word_inside_a_longer_phrase_is_fine():
    assert "PASSWORD_TOO_COMMON" not in codes("Password-Cheval-Bleu-7")


def test_personal_data_is_refused():
    personal = ("Jeanne", "Dupont", "jeanne.dupont")
    assert codes("Ma-JEANNE-2024!x", personal) == ["PASSWORD_CONTAINS_PERSONAL_DATA"]
    assert codes("x-jeanne.dupont-7!", personal) == ["PASSWORD_CONTAINS_PERSONAL_DATA"]
    assert codes(STRONG, personal) == []
    # Words under four letters are too common to forbid.
    assert codes("Lia-Chevalier-7!", ("Lia", "Ng")) == []


def test_the_shipped_list_is_large_and_lower_case():
    passwords = common_passwords()
    assert len(passwords) >= 10_000
    assert all(p == p.lower() for p in passwords)
    assert {"123456", "password", "azerty", "motdepasse"} <= passwords


async def test_hashes_are_salted_argon2id_and_verify(service):
    first = await service.hash(STRONG)
    second = await service.hash(STRONG)
    assert first.startswith("$argon2id$")
    assert first != second
    assert STRONG not in first
    assert await service.verify(first, STRONG)
    assert not await service.verify(first, STRONG + "x")
    assert not await service.verify(first, STRONG.lower())


async def test_long_passwords_are_never_truncated(service):
    long = "Aa1!" + "".join(chr(ord("a") + i % 26) for i in range(96))
    assert len(long) == 100
    assert check_policy(long) == []
    stored = await service.hash(long)
    assert await service.verify(stored, long)
    assert not await service.verify(stored, long[:72])  # where bcrypt would stop reading
    assert not await service.verify(stored, long[:-1])


async def test_verify_without_a_stored_hash_fails(service):
    assert await service.verify(None, STRONG) is False
    assert await service.verify(None, "dummy password, never matches") is False
    assert await service.verify("not a hash", STRONG) is False
    assert await service.verify("", STRONG) is False


async def test_hashes_made_with_other_parameters_need_a_rehash(service):
    current = await service.hash(STRONG)
    assert service.needs_rehash(current) is False
    older = PasswordHasher(time_cost=2, memory_cost=2048).hash(STRONG)
    assert service.needs_rehash(older) is True
    assert await service.verify(older, STRONG)  # still accepted until upgraded
