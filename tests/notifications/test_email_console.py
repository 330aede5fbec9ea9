"""Without a mail server, e-mails go to the log: with bodies only in development."""

from __future__ import annotations

import logging

from notifications.transports.email import ConsoleTransport, Email, transport_for


def _message() -> Email:
    return Email(
        sender="Passage <no-reply@passage.example>",
        recipient="jeanne@example.com",
        subject="Réinitialisation de votre mot de passe",
        text="https://passage.example/reset-password#token=rst_secret",
    )


async def test_production_console_logs_never_carry_links_or_addresses(caplog):
    caplog.set_level(logging.INFO, logger="passage.mail")
    transport = transport_for("console://", development=False)
    assert isinstance(transport, ConsoleTransport)
    await transport.send(_message())
    assert "rst_secret" not in caplog.text
    assert "jeanne@example.com" not in caplog.text
    assert "Réinitialisation" in caplog.text


async def test_development_console_shows_the_link_to_follow(caplog):
    caplog.set_level(logging.INFO, logger="passage.mail")
    await transport_for("console://").send(_message())
    assert "rst_secret" in caplog.text
