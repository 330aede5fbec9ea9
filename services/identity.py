"""Normalisation and checks of what people type about themselves."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email

NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '\u2019\-.][^\W\d_]+)*\.?$")
FR_POSTAL_RE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$")
MAX_EMAIL = 254


def normalize_email(raw: str) -> str | None:
    """Lower-cased address, or None when it is not a valid address."""
    candidate = raw.strip()
    if not candidate or len(candidate) > MAX_EMAIL:
        return None
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


def normalize_phone(raw: str, region: str = "FR") -> str | None:
    """E.164 form ("+33612345678"), or None when the number is not a valid one."""
    if not raw.strip() or len(raw) > 32:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def can_receive_sms(phone: str) -> bool:
    """A valid E.164 mobile number (a landline would make the SMS provider fail, retried)."""
    if not phone.startswith("+"):
        return False
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }


def clean_name(raw: str) -> str | None:
    """A person's name: letters with spaces, hyphens or apostrophes, 1 to 100 characters."""
    value = unicodedata.normalize("NFC", " ".join(raw.split()))
    if not 1 <= len(value) <= 100 or not NAME_RE.match(value):
        return None
    return value


def clean_text(raw: str, max_length: int) -> str | None:
    value = unicodedata.normalize("NFC", " ".join(raw.split()))
    if not value or len(value) > max_length:
        return None
    if any(unicodedata.category(c) == "Cc" for c in value):
        return None
    return value


def is_french_postal_code(value: str) -> bool:
    return bool(FR_POSTAL_RE.match(value))
