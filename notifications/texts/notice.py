"""The shape every text has, and the pieces every French letter shares.

No personal data in subjects: they show on lock screens and in shared inboxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SIGNATURE = (
    "\n\n— Votre agence, via Passage\nCet e-mail est automatique : merci de ne pas y répondre."
)


@dataclass(frozen=True)
class Notice:
    """What to say. `kind` names the text (logged, shown to staff for support); `sms` is the
    short text, used only when the SMS channel is chosen (empty: this text has none)."""

    kind: str
    subject: str
    body: str
    sms: str = ""


def letter(first_name: str, text: str) -> str:
    """An e-mail body: the greeting, `text`, the signature."""
    return f"Bonjour {first_name},\n\n{text}{SIGNATURE}"


def greeted(first_name: str, text: str) -> str:
    """A body without the signature: the e-mail layout (templates/notification.*) adds it."""
    return f"Bonjour {first_name},\n\n{text}"


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")
