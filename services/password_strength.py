"""Whether a password is a common one dressed up, or otherwise easy to guess.

Stripping digits and symbols from both ends let one extra letter through:
`Password123!x`, `xPassword123!`, `Motdepasse123!z` all passed, and so did
`aaaaaaaaaaa1!` and the account's own e-mail domain followed by `1!`. Here the password is
normalised first (compatibility forms, case, accents, the usual digit-for-letter swaps);
it is too common when a listed password covers all of it but a few characters, wherever
it sits; it is personal when it holds the account's names or a part of its e-mail; and
what passes both is scored by zxcvbn (patterns, repeats, sequences, keyboard walks), which
must find it at least "somewhat guessable" (2 of 4).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from zxcvbn import zxcvbn

# What may be left around a listed password, in letters and digits: `Password123!x` leaves 1.
MAX_DECORATION = 5
MIN_WORD = 4
MIN_SCORE = 2
# zxcvbn's matching grows fast with length; what it would say of the rest changes nothing.
SCORED_PREFIX = 40
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)


def normalise(text: str) -> str:
    """Compatibility forms, no case, no accents."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _compact(text: str) -> str:
    return "".join(c for c in text if c.isalnum())


def _longest_listed(text: str, listed: frozenset[str]) -> int:
    """Length of the longest listed password found inside `text` (at least MIN_WORD)."""
    longest = 0
    for start in range(len(text)):
        for end in range(len(text), start + max(longest, MIN_WORD - 1), -1):
            if text[start:end] in listed:
                longest = end - start
                break
    return longest


def is_common(password: str, listed: frozenset[str]) -> bool:
    """A listed password with at most MAX_DECORATION letters or digits around it (digits
    alone around it do not count: `SOLEIL-12345678` is `soleil`)."""
    plain = normalise(password)
    leet = plain.translate(_LEET)
    letters = "".join(c for c in plain if c.isalpha())
    for form in (plain, _compact(plain), leet, _compact(leet), letters):
        if form in listed:
            return True
        longest = _longest_listed(form, listed)
        if longest >= MIN_WORD and len(_compact(form)) - longest <= MAX_DECORATION:
            return True
    return False


def personal_parts(names: Iterable[str], email: str = "") -> tuple[str, ...]:
    """The account's names, the e-mail's local part and domain labels (no top level)."""
    local, _, domain = email.partition("@")
    labels = domain.split(".")[:-1] if "." in domain else [domain]
    parts = [*names, local, *labels]
    return tuple(p for p in (normalise(part) for part in parts) if len(p) >= MIN_WORD)


def is_personal(password: str, parts: Iterable[str]) -> bool:
    plain = normalise(password)
    forms = (plain, plain.translate(_LEET), _compact(plain))
    return any(part in form or _compact(part) in form for part in parts for form in forms)


def is_guessable(password: str, parts: tuple[str, ...]) -> bool:
    return bool(zxcvbn(password[:SCORED_PREFIX], user_inputs=list(parts))["score"] < MIN_SCORE)
