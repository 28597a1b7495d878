"""Validators for Chinese resident IDs (GB 11643), bank card numbers (Luhn) and mobiles.

Each ``validate_*`` raises django's ValidationError with a code and a message that says
what is wrong and what is expected; ``normalize_*`` returns the canonical form.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def resident_id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits of a resident ID."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def normalize_resident_id(value: str) -> str:
    return "".join(str(value).split()).upper()


def resident_id_birth_date(value: str) -> dt.date:
    n = normalize_resident_id(value)
    return dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))


def validate_resident_id(value: str, *, today: dt.date | None = None) -> str:
    """Check an 18-character resident ID: digits, birth date, check character."""
    n = normalize_resident_id(value)
    if len(n) != 18:
        raise ValidationError(
            _("A resident ID number has 18 characters; this one has %(count)d."),
            code="id_length",
            params={"count": len(n)},
        )
    if not n[:17].isdigit() or not (n[17].isdigit() or n[17] == "X"):
        raise ValidationError(
            _("A resident ID number is 17 digits followed by a digit or X."),
            code="id_characters",
        )
    if n[0] == "0":
        raise ValidationError(
            _("The region code of a resident ID cannot start with 0."), code="id_region"
        )
    try:
        birth = resident_id_birth_date(n)
    except ValueError:
        raise ValidationError(
            _("The birth date in this resident ID (%(digits)s) is not a real date."),
            code="id_birth_date",
            params={"digits": n[6:14]},
        ) from None
    today = today or dt.date.today()  # noqa: DTZ011  (a calendar date, not an instant)
    if birth > today or birth.year < 1900:
        raise ValidationError(
            _("The birth date in this resident ID (%(date)s) is out of range."),
            code="id_birth_date",
            params={"date": birth.isoformat()},
        )
    if resident_id_check_char(n[:17]) != n[17]:
        raise ValidationError(
            _("The check character of this resident ID is wrong: please check the number."),
            code="id_checksum",
        )
    return n


def luhn_checksum_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_check_digit(partial: str) -> str:
    """The digit that makes ``partial + digit`` pass the Luhn check."""
    for d in "0123456789":
        if luhn_checksum_ok(partial + d):
            return d
    raise AssertionError("unreachable")


def normalize_card_number(value: str) -> str:
    return "".join(str(value).split()).replace("-", "")


def validate_card_number(value: str) -> str:
    n = normalize_card_number(value)
    if not n.isdigit():
        raise ValidationError(_("A card number contains digits only."), code="card_characters")
    if not 13 <= len(n) <= 19:
        raise ValidationError(
            _("A card number has 13 to 19 digits; this one has %(count)d."),
            code="card_length",
            params={"count": len(n)},
        )
    if not luhn_checksum_ok(n):
        raise ValidationError(
            _("This card number fails its check digit: please check the number."),
            code="card_checksum",
        )
    return n


def normalize_mobile(value: str) -> str:
    n = "".join(str(value).split()).replace("-", "")
    if n.startswith("+86"):
        n = n[3:]
    elif n.startswith("0086"):
        n = n[4:]
    elif len(n) == 13 and n.startswith("86"):
        n = n[2:]
    return n


def validate_mobile(value: str) -> str:
    n = normalize_mobile(value)
    if not _MOBILE_RE.match(n):
        raise ValidationError(
            _("A mainland mobile number has 11 digits and starts with 13 to 19."),
            code="mobile_format",
        )
    return n


def validate_six_digit_password(value: str) -> str:
    if not (len(value) == 6 and value.isdigit()):
        raise ValidationError(_("The password must be exactly 6 digits."), code="password_format")
    return value
