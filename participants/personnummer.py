"""Swedish personal identity numbers (personnummer) and coordination numbers.

A coordination number (samordningsnummer) is a personnummer whose day of month
has 60 added, so 1985-07-09 becomes ``850769``. Both share the same format and
check digit, so one parser handles both.

Numbers are stored normalised as 12 digits (``YYYYMMDDNNNN``) because the
10-digit forms are ambiguous without a reference date: the century is implied
by the separator and the person's age on the day the number was written.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Personnummer",
    "PersonnummerError",
    "is_valid",
    "legal_gender",
    "luhn_check_digit",
    "mask",
    "normalise",
    "parse",
    "validate_personnummer",
]

# Kept lazy so the message is translated when shown, not when the module is
# imported (there is no active language at import time).
MESSAGE_FORMAT = _("Use the form YYYYMMDD-NNNN, YYYYMMDDNNNN or YYMMDD-NNNN.")
MESSAGE_DATE = _("Not a valid date.")
MESSAGE_FUTURE = _("The date of birth is in the future.")
MESSAGE_CHECK_DIGIT = _("Invalid check digit.")

COORDINATION_DAY_OFFSET = 60

# re.ASCII so that non-Latin digits (e.g. Arabic-Indic) are not accepted as
# digits and later stored in the database.
_TWELVE_DIGIT = re.compile(r"(\d{8})-?(\d{4})", re.ASCII)
_TEN_DIGIT = re.compile(r"(\d{6})([-+]?)(\d{4})", re.ASCII)


class PersonnummerError(ValueError):
    """The value is not a valid personnummer or samordningsnummer.

    ``message`` is the untranslated lazy string, so callers such as form
    validation can translate it in the user's language at display time.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class Personnummer:
    """A checked personnummer, stored as 12 digits ``YYYYMMDDNNNN``.

    Construct it with :func:`parse`. Direct construction checks the date and
    the check digit but cannot check for a future date, which needs a
    reference date.
    """

    number: str

    def __post_init__(self) -> None:
        _check_twelve_digits(self.number)

    @property
    def is_coordination_number(self) -> bool:
        return int(self.number[6:8]) > COORDINATION_DAY_OFFSET

    @property
    def birth_date(self) -> datetime.date:
        day = int(self.number[6:8])
        if day > COORDINATION_DAY_OFFSET:
            day -= COORDINATION_DAY_OFFSET
        return datetime.date(int(self.number[0:4]), int(self.number[4:6]), day)

    @property
    def formatted(self) -> str:
        return f"{self.number[:8]}-{self.number[8:]}"

    @property
    def masked(self) -> str:
        return mask(self.number)

    @property
    def legal_gender(self) -> str:
        """``kvinna`` or ``man``: the legal gender (juridiskt kön) the ninth digit carries.

        Even is a woman, odd a man, in a samordningsnummer alike. This is how
        SCB's register-based statistics count gender, and so every figure of
        the product; it says nothing about how the person describes themself.
        """
        return legal_gender(self.number)

    def __str__(self) -> str:
        return self.formatted


def legal_gender(number: str) -> str:
    """The legal gender a number carries in its second-to-last digit, in any written form
    (see :attr:`Personnummer.legal_gender`)."""
    digits = [char for char in number if char.isdigit()]
    return "kvinna" if int(digits[-2]) % 2 == 0 else "man"


def luhn_check_digit(nine_digits: str) -> int:
    """Return the Luhn check digit for ``YYMMDDNNN``."""
    if len(nine_digits) != 9 or not nine_digits.isascii() or not nine_digits.isdigit():
        raise ValueError("Expected exactly nine ASCII digits.")
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def _birth_date_or_none(year: int, month: int, day: int) -> datetime.date | None:
    if day > COORDINATION_DAY_OFFSET:
        day -= COORDINATION_DAY_OFFSET
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _check_twelve_digits(number: str) -> datetime.date:
    """Check date and check digit of a normalised number; return birth date."""
    if (
        not isinstance(number, str)
        or len(number) != 12
        or not number.isascii()
        or not number.isdigit()
    ):
        raise PersonnummerError(MESSAGE_FORMAT)
    birth_date = _birth_date_or_none(int(number[0:4]), int(number[4:6]), int(number[6:8]))
    if birth_date is None:
        raise PersonnummerError(MESSAGE_DATE)
    if luhn_check_digit(number[2:11]) != int(number[11]):
        raise PersonnummerError(MESSAGE_CHECK_DIGIT)
    return birth_date


def _resolve_century(yy: int, month: int, day: int, plus: bool, today: datetime.date) -> int:
    # Compare (month, day) rather than building a date: the date may not
    # exist (e.g. 29 Feb), and that is reported separately afterwards.
    if day > COORDINATION_DAY_OFFSET:
        day -= COORDINATION_DAY_OFFSET
    year = today.year - (today.year - yy) % 100
    if year == today.year and (month, day) > (today.month, today.day):
        year -= 100
    # "+" is written by/for people who have turned 100.
    if plus:
        year -= 100
    return year


def parse(value: str, *, today: datetime.date | None = None) -> Personnummer:
    """Parse any accepted written form into a :class:`Personnummer`.

    ``today`` is the reference date for the century of 10-digit forms and
    for rejecting future dates; it defaults to the current date.
    """
    if today is None:
        today = datetime.date.today()
    if not isinstance(value, str):
        raise PersonnummerError(MESSAGE_FORMAT)
    text = value.strip()

    if match := _TWELVE_DIGIT.fullmatch(text):
        number = match.group(1) + match.group(2)
    elif match := _TEN_DIGIT.fullmatch(text):
        yymmdd, separator, serial = match.groups()
        year = _resolve_century(
            int(yymmdd[0:2]),
            int(yymmdd[2:4]),
            int(yymmdd[4:6]),
            separator == "+",
            today,
        )
        if year < 1:
            raise PersonnummerError(MESSAGE_DATE)
        number = f"{year:04d}{yymmdd[2:]}{serial}"
    else:
        raise PersonnummerError(MESSAGE_FORMAT)

    birth_date = _check_twelve_digits(number)
    if birth_date > today:
        raise PersonnummerError(MESSAGE_FUTURE)
    return Personnummer(number)


def normalise(value: str, *, today: datetime.date | None = None) -> str:
    """Return the 12-digit ``YYYYMMDDNNNN`` form of a valid number."""
    return parse(value, today=today).number


def is_valid(value: str, *, today: datetime.date | None = None) -> bool:
    try:
        parse(value, today=today)
    except PersonnummerError:
        return False
    return True


def validate_personnummer(value: str) -> None:
    """Django field validator for personnummer and samordningsnummer."""
    try:
        parse(value)
    except PersonnummerError as error:
        raise ValidationError(error.message, code="invalid_personnummer") from error


def mask(number: str) -> str:
    """Hide the last four digits of a normalised 12-digit number.

    The date part stays visible so staff can tell people apart in lists
    without exposing the full number.
    """
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        raise PersonnummerError(MESSAGE_FORMAT)
    return f"{number[:8]}-****"
