"""Tests for parsing and validating Swedish personnummer/samordningsnummer."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st

from participants.personnummer import (
    Personnummer,
    PersonnummerError,
    is_valid,
    luhn_check_digit,
    mask,
    normalise,
    parse,
    validate_personnummer,
)

# A fixed reference date keeps century resolution and the future check
# independent of when the suite runs.
TODAY = datetime.date(2024, 6, 15)

FORMAT_MESSAGE = "Use the form YYYYMMDD-NNNN, YYYYMMDDNNNN or YYMMDD-NNNN."


def luhn_is_valid(ten_digits: str) -> bool:
    """Reference Luhn check, written independently of the module under test."""
    total = 0
    for index, char in enumerate(ten_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += sum(int(d) for d in str(product))
    return total % 10 == 0


def with_check_digit(eleven_digits: str) -> str:
    """Append the check digit to ``YYYYMMDDNNN``."""
    return eleven_digits + str(luhn_check_digit(eleven_digits[2:]))


def build(birth_date: datetime.date, serial: int, coordination: bool = False) -> str:
    day = birth_date.day + (60 if coordination else 0)
    return with_check_digit(f"{birth_date:%Y%m}{day:02d}{serial:03d}")


def age_at(birth_date: datetime.date, today: datetime.date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def written_forms(number: str, birth_date: datetime.date, today: datetime.date):
    """Every way a person with this number could write it on ``today``."""
    separator = "+" if age_at(birth_date, today) >= 100 else "-"
    forms = [
        number,
        f"{number[:8]}-{number[8:]}",
        f"{number[2:8]}{separator}{number[8:]}",
    ]
    if separator == "-":
        forms.append(number[2:])
    return forms


def message_of(error: Exception) -> str:
    with translation.override("en"):
        return str(error)


# --- Check digit -----------------------------------------------------------


@pytest.mark.parametrize(
    ("nine_digits", "check_digit"),
    [("811218987", 6), ("410708699", 5), ("850709980", 5), ("000000000", 0)],
)
def test_luhn_check_digit_matches_known_examples(nine_digits, check_digit):
    assert luhn_check_digit(nine_digits) == check_digit


@pytest.mark.parametrize("bad", ["", "12345678", "1234567890", "12345678a", "١٢٣٤٥٦٧٨٩"])
def test_luhn_check_digit_requires_exactly_nine_ascii_digits(bad):
    with pytest.raises(ValueError, match="nine ASCII digits"):
        luhn_check_digit(bad)


# --- Known numbers and accepted forms --------------------------------------


@pytest.mark.parametrize("number", ["198112189876", "194107086995", "198507099805"])
def test_known_valid_numbers_are_accepted(number):
    assert is_valid(number, today=TODAY)
    assert parse(number, today=TODAY).number == number


@pytest.mark.parametrize(
    "written",
    ["198112189876", "19811218-9876", "8112189876", "811218-9876"],
)
def test_every_accepted_form_normalises_to_the_same_twelve_digits(written):
    assert normalise(written, today=TODAY) == "198112189876"


def test_surrounding_whitespace_is_stripped():
    assert normalise("  811218-9876\n\t", today=TODAY) == "198112189876"
    assert normalise(" 198112189876 ", today=TODAY) == "198112189876"


def test_parse_returns_the_birth_date():
    assert parse("811218-9876", today=TODAY).birth_date == datetime.date(1981, 12, 18)


def test_default_reference_date_is_today():
    assert is_valid("811218-9876")
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    assert not is_valid(build(tomorrow, 123))


# --- Century resolution for 10-digit forms ---------------------------------


@pytest.mark.parametrize(
    ("yymmdd", "separator", "expected_year"),
    [
        ("240615", "-", 2024),  # born today
        ("240616", "-", 1924),  # tomorrow's date this year would be future
        ("240614", "-", 2024),
        ("250101", "-", 1925),
        ("000101", "-", 2000),
        ("991231", "-", 1999),
        ("240615", "+", 1924),  # turned exactly 100 today
        ("240616", "+", 1824),
        ("811218", "+", 1881),
        ("250101", "+", 1825),
    ],
)
def test_century_of_ten_digit_form_depends_on_separator_and_reference_date(
    yymmdd, separator, expected_year
):
    number = with_check_digit(f"{expected_year}{yymmdd[2:]}123")
    written = f"{yymmdd}{separator}{number[8:]}"
    assert parse(written, today=TODAY).birth_date.year == expected_year


def test_ten_digit_form_without_separator_is_read_like_hyphen():
    assert normalise("8112189876", today=TODAY) == normalise("811218-9876", today=TODAY)


def test_ten_digit_plus_form_means_over_hundred_years():
    person = parse("811218+9876", today=TODAY)
    assert person.number == "188112189876"
    assert age_at(person.birth_date, TODAY) >= 100


def test_ten_digit_hyphen_form_means_under_hundred_years():
    person = parse("240616-" + build(datetime.date(1924, 6, 16), 1)[8:], today=TODAY)
    assert age_at(person.birth_date, TODAY) == 99


# --- Coordination numbers --------------------------------------------------


def test_coordination_number_is_accepted_with_real_birth_date():
    number = build(datetime.date(1985, 7, 9), 980, coordination=True)
    assert number[:8] == "19850769"
    person = parse(number, today=TODAY)
    assert person.is_coordination_number
    assert person.birth_date == datetime.date(1985, 7, 9)
    assert person.number == number


def test_ordinary_number_is_not_a_coordination_number():
    assert not parse("198112189876", today=TODAY).is_coordination_number


def test_coordination_day_ninety_one_is_the_thirty_first():
    person = parse(build(datetime.date(1990, 1, 31), 5, coordination=True))
    assert person.birth_date == datetime.date(1990, 1, 31)


@pytest.mark.parametrize("day", ["00", "32", "60", "92", "99"])
def test_day_outside_both_ranges_is_rejected(day):
    with pytest.raises(PersonnummerError) as info:
        parse(with_check_digit(f"199001{day}123"), today=TODAY)
    assert message_of(info.value) == "Not a valid date."


# --- Invalid numbers -------------------------------------------------------


def test_wrong_check_digit_is_rejected():
    with pytest.raises(PersonnummerError) as info:
        parse("198112189877", today=TODAY)
    assert message_of(info.value) == "Invalid check digit."


@pytest.mark.parametrize("month", ["00", "13"])
def test_month_outside_one_to_twelve_is_rejected(month):
    with pytest.raises(PersonnummerError) as info:
        parse(with_check_digit(f"1990{month}01123"), today=TODAY)
    assert message_of(info.value) == "Not a valid date."


def test_thirtieth_of_february_is_rejected():
    with pytest.raises(PersonnummerError) as info:
        parse(with_check_digit("19850230123"), today=TODAY)
    assert message_of(info.value) == "Not a valid date."


def test_twenty_ninth_of_february_2000_is_accepted():
    person = parse(with_check_digit("20000229123"), today=TODAY)
    assert person.birth_date == datetime.date(2000, 2, 29)


def test_twenty_ninth_of_february_1900_is_rejected_because_1900_is_not_leap():
    with pytest.raises(PersonnummerError) as info:
        parse(with_check_digit("19000229123"), today=TODAY)
    assert message_of(info.value) == "Not a valid date."


def test_twenty_ninth_of_february_in_ten_digit_form_follows_the_century():
    serial = with_check_digit("20000229123")[8:]
    assert parse(f"000229-{serial}", today=TODAY).birth_date.year == 2000
    assert not is_valid(f"000229+{serial}", today=TODAY)


def test_coordination_number_on_twenty_ninth_of_february_needs_a_leap_year():
    assert is_valid(build(datetime.date(2000, 2, 29), 1, coordination=True), today=TODAY)
    assert not is_valid(with_check_digit("19000289123"), today=TODAY)


def test_future_birth_date_is_rejected():
    with pytest.raises(PersonnummerError) as info:
        parse(build(TODAY + datetime.timedelta(days=1), 123), today=TODAY)
    assert message_of(info.value) == "The date of birth is in the future."


def test_birth_date_equal_to_reference_date_is_accepted():
    assert is_valid(build(TODAY, 123), today=TODAY)


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   ",
        "abc",
        "19811218_9876",
        "19811218 9876",
        "811218 9876",
        "811218--9876",
        "19811218+9876",
        "1981-12-18-9876",
        "19811218-98a6",
        "811218-987",
        "81121898761",
        "1981121898761",
        "8112189876x",
        "٨١١٢١٨-٩٨٧٦",  # Arabic-Indic digits
        "811218\u20139876",  # en dash
    ],
)
def test_garbage_is_rejected_with_format_message(garbage):
    with pytest.raises(PersonnummerError) as info:
        parse(garbage, today=TODAY)
    assert message_of(info.value) == FORMAT_MESSAGE


def test_non_string_is_rejected_with_format_message():
    with pytest.raises(PersonnummerError) as info:
        parse(198112189876, today=TODAY)  # type: ignore[arg-type]
    assert message_of(info.value) == FORMAT_MESSAGE


def test_personnummer_error_is_a_value_error():
    assert issubclass(PersonnummerError, ValueError)


def test_constructing_personnummer_directly_still_checks_the_number():
    with pytest.raises(PersonnummerError):
        Personnummer("198112189877")
    with pytest.raises(PersonnummerError):
        Personnummer("811218-9876")


# --- Output ----------------------------------------------------------------


def test_formatted_and_masked_output():
    person = parse("811218-9876", today=TODAY)
    assert person.formatted == "19811218-9876"
    assert person.masked == "19811218-****"
    assert str(person) == "19811218-9876"


def test_mask_hides_the_last_four_digits_of_a_normalised_number():
    assert mask("198507099805") == "19850709-****"


def test_mask_keeps_the_coordination_day_as_written():
    number = build(datetime.date(1985, 7, 9), 980, coordination=True)
    assert mask(number) == "19850769-****"


@pytest.mark.parametrize("bad", ["19850709-9805", "8507099805", "abcdefghijkl"])
def test_mask_rejects_numbers_that_are_not_normalised(bad):
    with pytest.raises(PersonnummerError):
        mask(bad)


def test_even_second_to_last_digit_means_legally_female():
    assert parse("198507099805", today=TODAY).legal_gender == "kvinna"


def test_odd_second_to_last_digit_means_legally_male():
    assert parse("198112189876", today=TODAY).legal_gender == "man"


# --- Django validator ------------------------------------------------------


def test_validator_accepts_a_valid_number():
    assert validate_personnummer("19811218-9876") is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("19811218-9877", "Invalid check digit."),
        ("hello", FORMAT_MESSAGE),
        ("19850230-1234", "Not a valid date."),
        (with_check_digit("29991231123"), "The date of birth is in the future."),
    ],
)
def test_validator_raises_validation_error_with_the_reason(value, message):
    with pytest.raises(ValidationError) as info:
        validate_personnummer(value)
    assert info.value.code == "invalid_personnummer"
    with translation.override("en"):
        assert info.value.messages == [message]


# --- Properties ------------------------------------------------------------

birth_dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY)
serials = st.integers(min_value=0, max_value=999)


@given(birth_date=birth_dates, serial=serials)
@example(birth_date=datetime.date(1924, 6, 15), serial=0)  # exactly 100
@example(birth_date=datetime.date(1924, 6, 16), serial=0)  # 99 until tomorrow
@example(birth_date=datetime.date(2000, 2, 29), serial=999)
def test_any_valid_number_round_trips_through_every_written_form(birth_date, serial):
    number = build(birth_date, serial)
    assert luhn_is_valid(number[2:])
    for written in written_forms(number, birth_date, TODAY):
        person = parse(written, today=TODAY)
        assert person.number == number
        assert person.birth_date == birth_date
        assert not person.is_coordination_number


@given(birth_date=birth_dates, serial=serials)
def test_any_coordination_number_round_trips_with_the_real_birth_date(birth_date, serial):
    number = build(birth_date, serial, coordination=True)
    for written in written_forms(number, birth_date, TODAY):
        person = parse(written, today=TODAY)
        assert person.number == number
        assert person.birth_date == birth_date
        assert person.is_coordination_number


@given(
    today=st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2200, 12, 31)),
    data=st.data(),
    serial=serials,
    coordination=st.booleans(),
)
def test_century_resolution_round_trips_for_any_reference_date(today, data, serial, coordination):
    # The 10-digit forms can only express ages below 200.
    birth_date = data.draw(
        st.dates(min_value=datetime.date(today.year - 199, 1, 1), max_value=today)
    )
    number = build(birth_date, serial, coordination)
    for written in written_forms(number, birth_date, today):
        assert parse(written, today=today).birth_date == birth_date


@given(
    birth_date=birth_dates,
    serial=serials,
    position=st.integers(min_value=2, max_value=11),
    delta=st.integers(min_value=1, max_value=9),
)
def test_changing_any_checked_digit_makes_the_number_invalid(birth_date, serial, position, delta):
    # Luhn detects every single-digit substitution in the ten digits it
    # covers; if the change also breaks the date, that fails too.
    number = build(birth_date, serial)
    changed_digit = str((int(number[position]) + delta) % 10)
    changed = number[:position] + changed_digit + number[position + 1 :]
    assert not luhn_is_valid(changed[2:])
    assert not is_valid(changed, today=TODAY)


@given(
    birth_date=birth_dates,
    serial=serials,
    position=st.integers(min_value=0, max_value=1),
    delta=st.integers(min_value=1, max_value=9),
)
def test_changing_a_century_digit_is_only_caught_by_the_date_checks(
    birth_date, serial, position, delta
):
    # The century is outside the Luhn digits, so the changed number is valid
    # exactly when its date exists and is not in the future.
    number = build(birth_date, serial)
    changed_digit = str((int(number[position]) + delta) % 10)
    changed = number[:position] + changed_digit + number[position + 1 :]
    try:
        changed_date = datetime.date(int(changed[:4]), birth_date.month, birth_date.day)
    except ValueError:
        changed_date = None
    expected = changed_date is not None and changed_date <= TODAY
    assert is_valid(changed, today=TODAY) == expected


@given(value=st.text())
@example(value="")
@example(value="\x00")
def test_arbitrary_text_either_parses_or_raises_personnummer_error(value):
    try:
        person = parse(value, today=TODAY)
    except PersonnummerError:
        return
    assert len(person.number) == 12
    assert person.number.isascii()
    assert person.number.isdigit()
