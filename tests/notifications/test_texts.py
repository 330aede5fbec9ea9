"""Every text a person receives is written in notifications/texts/ (DESIGN.md: "texts as
templates, never inline in a use case"): no use case greets, titles or signs a message
itself, nor queues an e-mail around notifications.notify.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
USE_CASES = sorted((ROOT / "resolvers").rglob("*.py"))


def _offences(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        where = f"{name}:{getattr(node, 'lineno', 0)}"
        # Strings, and the fixed parts of f-strings (constants inside them).
        text = node.value if isinstance(node, ast.Constant) else None
        if isinstance(text, str) and text.startswith("Bonjour"):
            found.append(f"{where} greets a person")
        if isinstance(node, ast.Call):
            if any(keyword.arg == "subject" for keyword in node.keywords):
                found.append(f"{where} writes a subject")
            func = node.func
            name_called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name_called in {"Notice", "Notification"}:
                found.append(f"{where} builds a notice")
            if name_called == "enqueue" and isinstance(func, ast.Attribute):
                found.append(f"{where} queues an e-mail itself")
    return found


def test_use_cases_hold_no_text_a_person_receives():
    assert len(USE_CASES) > 50, "the use cases were not found"
    offences = [
        offence
        for path in USE_CASES
        for offence in _offences(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert offences == []


def test_the_guard_sees_a_text_written_in_a_use_case():
    inline = (
        "async def tell(mailer, account):\n"
        "    await mailer.enqueue(\n"
        "        'kind', account.email, subject='Votre', body=f'Bonjour {account.first_name},'\n"
        "    )\n"
        "    return Notice('kind', 'Votre facture', 'Bonjour')\n"
    )
    found = sorted(offence.split(" ", 1)[1] for offence in _offences(inline, "inline.py"))
    assert found == [
        "builds a notice",
        "greets a person",
        "greets a person",
        "queues an e-mail itself",
        "writes a subject",
    ]
