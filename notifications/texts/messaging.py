"""What a household is told when its agency answers a message (French).

A link and no excerpt: messages may hold health or access details, and e-mail is read
on shared screens and lock screens.
"""

from __future__ import annotations

from notifications.texts.notice import Notice, greeted


def reply(first_name: str, link: str) -> Notice:
    return Notice(
        kind="message_reply",
        subject="Votre agence vous a répondu",
        body=greeted(
            first_name,
            "Votre agence a répondu à votre message. Pour le lire, ouvrez votre espace client :"
            f"\n{link}\n\nPar discrétion, le contenu des messages n'est jamais envoyé par e-mail.",
        ),
    )
