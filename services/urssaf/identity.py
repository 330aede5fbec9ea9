"""Checks of a household's enrolment data before anything is sent to URSSAF.

The formats are URSSAF's (InputParticulierDTO of the API Tiers de prestation): names of
letters, apostrophes, hyphens and spaces; INSEE codes for the birth place (country on
five digits, 99100 for France, then the commune) and for the address; a French mobile
number; an IBAN whose checksum holds and a BIC (python-stdnum).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError

FRANCE = "99100"
# Letters (any alphabet), then letters, apostrophes, hyphens or spaces, ending on a letter.
NAME = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’\- ])*(?<=[^\W\d_])$|^[^\W\d_]$")
COUNTRY = re.compile(r"^99[0-9]{3}$")
# A commune's INSEE (COG) code: department (2A/2B for Corsica) then three digits.
COMMUNE = re.compile(r"^(?:[0-9]{2}|2[AB])[0-9]{3}$")
POSTAL_CODE = re.compile(r"^[0-9]{5}$")
STREET_NUMBER = re.compile(r"^(?!0$)[0-9]{1,20}$")
URSSAF_EMAIL = re.compile(
    r"^[-A-Za-z0-9_]+(\.[-A-Za-z0-9_]+)*@[A-Za-z0-9]+((-|\.)[A-Za-z0-9]+)*\.[A-Za-z]+$"
)


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    code: str


def check_name(field: str, value: str, required: bool = True) -> Problem | None:
    value = value.strip()
    if not value:
        return Problem(field, "Obligatoire.", "REQUIRED") if required else None
    if len(value) > 80 or NAME.match(value) is None:
        return Problem(
            field,
            "Lettres, apostrophes, tirets et espaces seulement (80 caractères au plus), "
            "sans chiffre ni caractère spécial au début ou à la fin.",
            "INVALID_NAME",
        )
    return None


def check_birth(
    birth_date: date, country: str, commune: str, label: str, today: date
) -> list[Problem]:
    problems = []
    if birth_date >= today or birth_date.year < 1900:
        problems.append(Problem("birthDate", "Date de naissance invalide.", "INVALID_DATE"))
    elif (today.year - birth_date.year) - (
        (today.month, today.day)
        < (
            birth_date.month,
            birth_date.day,
        )
    ) < 18:
        problems.append(Problem("birthDate", "Le particulier doit être majeur.", "INVALID_DATE"))
    if COUNTRY.match(country) is None:
        problems.append(
            Problem(
                "birthCountryCode",
                "Code INSEE du pays de naissance : 5 chiffres commençant par 99 "
                "(99100 pour la France).",
                "INVALID_INSEE_CODE",
            )
        )
    elif country == FRANCE:
        if COMMUNE.match(commune.upper()) is None:
            problems.append(
                Problem(
                    "birthCommuneCode",
                    "Code INSEE de la commune de naissance : 5 caractères (ex. 75056, 2A004).",
                    "INVALID_INSEE_CODE",
                )
            )
        if not 1 <= len(label.strip()) <= 50:
            problems.append(
                Problem("birthCommuneLabel", "Commune de naissance obligatoire.", "REQUIRED")
            )
    elif commune or label:
        problems.append(
            Problem(
                "birthCommuneCode",
                "Pas de commune de naissance pour une naissance à l'étranger.",
                "INVALID_INSEE_CODE",
            )
        )
    return problems


def check_address(
    street_number: str, street_name: str, complement: str, postal: str, commune: str, label: str
) -> list[Problem]:
    problems = []
    if street_number and STREET_NUMBER.match(street_number) is None:
        problems.append(Problem("streetNumber", "Numéro de voie : chiffres seulement.", "INVALID"))
    if len(street_name) > 28:
        problems.append(Problem("streetName", "28 caractères au plus.", "TOO_LONG"))
    if len(complement) > 38:
        problems.append(Problem("addressComplement", "38 caractères au plus.", "TOO_LONG"))
    if not street_name.strip() and not complement.strip():
        problems.append(
            Problem("streetName", "Indiquez la voie ou un complément d'adresse.", "REQUIRED")
        )
    if POSTAL_CODE.match(postal) is None:
        problems.append(Problem("postalCode", "Code postal : 5 chiffres.", "INVALID"))
    if COMMUNE.match(commune.upper()) is None:
        problems.append(
            Problem(
                "communeCode",
                "Code INSEE de la commune : 5 caractères (ex. 92072).",
                "INVALID_INSEE_CODE",
            )
        )
    if not 1 <= len(label.strip()) <= 50:
        problems.append(Problem("communeLabel", "Commune obligatoire.", "REQUIRED"))
    return problems


def french_mobile(phone: str) -> str | None:
    """The number in E.164 when it is a French mobile (06 / 07), else None."""
    try:
        number = phonenumbers.parse(phone, "FR")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 33 or not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_mobile(e164: str) -> str:
    """+33612345678 → 0612345678, the form URSSAF's pattern asks for."""
    return "0" + e164.removeprefix("+33")


def check_email(email: str) -> Problem | None:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return Problem("email", "Adresse e-mail invalide.", "INVALID_EMAIL")
    if URSSAF_EMAIL.match(email) is None:
        return Problem("email", "L'URSSAF n'accepte pas cette forme d'adresse.", "INVALID_EMAIL")
    return None


def compact_iban(iban: str) -> str | None:
    """The IBAN without spaces when its country format and checksum hold, else None."""
    try:
        return str(stdnum_iban.validate(iban))
    except ValidationError:
        return None


def compact_bic(bic: str) -> str | None:
    try:
        return str(stdnum_bic.validate(bic))
    except ValidationError:
        return None
