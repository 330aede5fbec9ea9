"""Pure rules under the notices: choosing the SMS gateway, its settings, what an SMS may say
and to which numbers, and how durations are told."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from notifications import mailer
from notifications.texts import visits as notices
from notifications.transports.sms import MAX_LENGTH, ConsoleSms, HttpSms, gateway_for, sms_text
from services.config import ConfigError, Settings
from tests.web.factories import SAFE


def test_gateway_for_chooses_by_scheme():
    assert isinstance(gateway_for("console://"), ConsoleSms)
    gateway = gateway_for("https://sms.example/v1/send?token=abc")
    assert isinstance(gateway, HttpSms)
    assert "abc" not in repr(gateway)
    assert isinstance(gateway_for("http://127.0.0.1:9000/sms"), HttpSms)
    for url in ("smtp://mail.example", "sms.example/send", "", "http:///sms", "ftp://x/y"):
        with pytest.raises(ValueError, match="SMS_URL"):
            gateway_for(url)


def test_settings_refuse_an_unusable_sms_url(settings):
    with pytest.raises(ConfigError, match="SMS_URL"):
        settings.with_(sms_url="twilio://account").validate()
    assert settings.with_(sms_url="http://sms.example/send").validate()  # fine in development
    production = Settings(**SAFE)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="SMS_URL"):
        production.with_(sms_url="http://sms.example/send?token=x").validate()
    assert production.with_(sms_url="https://sms.example/send?token=x").validate()
    assert production.with_(sms_url="http://127.0.0.1:8025/sms").validate()  # a local relay
    with pytest.raises(ConfigError, match="OUTBOX_RETRY_BASE_SECONDS"):
        settings.with_(outbox_retry_base_seconds=0).validate()


async def test_console_sms_logs_no_personal_data(caplog):
    caplog.set_level(logging.INFO, logger="passage.sms")
    await ConsoleSms().send("+33612345678", "Votre intervenant(e) Claire est arrivé(e) à 09:02.")
    [record] = caplog.records
    assert record.getMessage() == "sms to=…78 length=50"
    assert "3361234" not in caplog.text
    assert "Claire" not in caplog.text


def test_sms_text_is_plain_and_at_most_two_segments():
    assert sms_text("  Bonjour\x07 Jeanne\n ") == "Bonjour  Jeanne"
    original = "Votre intervention " * 40
    long = sms_text(original)
    assert len(long) <= MAX_LENGTH
    kept = long.removesuffix("…")
    assert original.startswith(kept)
    assert original[len(kept)] == " "  # cut between words
    decomposed = "e\u0301" * 400  # é as e + combining accent
    cut = sms_text(decomposed)
    assert len(cut) <= MAX_LENGTH
    assert cut[-2] == "\u0301"  # never an accent torn from its letter


async def test_sms_go_to_e164_numbers_only():
    with pytest.raises(ValueError, match=r"E\.164"):
        await mailer.enqueue_sms("visit_arrival", "06 12 34 56 78", "Bonjour")


def test_durations():
    assert notices.duration(timedelta(hours=2, minutes=5, seconds=59)) == "2h05"
    assert notices.duration(timedelta(minutes=7)) == "0h07"
