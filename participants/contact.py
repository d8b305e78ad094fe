"""A participant's contact details: how phone numbers, e-mail addresses and postal codes
are checked and written down.

Each value is normalised first (``normalise_*``: what a coach types in any
reasonable form is stored one way) and then validated (``validate_*``, on the
model's fields, so every path that saves a participant checks them).
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

PHONE_MIN_DIGITS = 7
PHONE_MAX_DIGITS = 15  # E.164's longest number

# Digits, spaces, hyphens and brackets, with a leading + for a country code.
# re.ASCII: only 0-9 count as digits.
_PHONE_CHARACTERS = re.compile(r"\+?[0-9 ()\-]+", re.ASCII)
_POSTAL_CODE = re.compile(r"([1-9][0-9]{2}) ?([0-9]{2})", re.ASCII)

MESSAGE_PHONE = _(
    "Enter a phone number of 7 to 15 digits, such as 070-123 45 67 or +46 70 123 45 67 "
    "(digits, spaces, hyphens and a leading + only)."
)
MESSAGE_PHONE_START = _(
    "A phone number starts with 0 (a Swedish number) or with + and the country code."
)
MESSAGE_EMAIL = _("Enter an e-mail address such as namn@example.se.")
MESSAGE_POSTAL_CODE = _("Enter a Swedish postal code of five digits, such as 163 70.")


def _squeeze(value: str) -> str:
    return " ".join(value.split())


def normalise_phone(value: str) -> str:
    """Spaces squeezed; the coach's own grouping of the digits is kept."""
    return _squeeze(value)


def validate_phone(value: str) -> None:
    if not value:
        return
    if not _PHONE_CHARACTERS.fullmatch(value):
        raise ValidationError(MESSAGE_PHONE, code="phone_characters")
    digits = re.sub(r"[^0-9]", "", value)
    if not PHONE_MIN_DIGITS <= len(digits) <= PHONE_MAX_DIGITS:
        raise ValidationError(MESSAGE_PHONE, code="phone_length")
    if not (value.startswith("+") or value.startswith("0")):
        raise ValidationError(MESSAGE_PHONE_START, code="phone_start")


def normalise_email(value: str) -> str:
    return value.strip()


validate_email = EmailValidator(message=MESSAGE_EMAIL)


def normalise_postal_code(value: str) -> str:
    """``16370`` and ``163 70`` are both stored as ``163 70``, as the post writes it."""
    value = _squeeze(value)
    match = _POSTAL_CODE.fullmatch(value)
    return f"{match.group(1)} {match.group(2)}" if match else value


def validate_postal_code(value: str) -> None:
    if value and not _POSTAL_CODE.fullmatch(value):
        raise ValidationError(MESSAGE_POSTAL_CODE, code="postal_code")


# Field name -> its normaliser; the other text fields have their spaces squeezed.
NORMALISERS = {
    "phone": normalise_phone,
    "email": normalise_email,
    "postal_code": normalise_postal_code,
}
