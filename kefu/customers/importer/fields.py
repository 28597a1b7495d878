"""The building blocks of the import format: errors, a field reader that records each
problem under its path, and validators for the numbers the format carries."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.crypto import normalize_number
from kefu.core.validators import (
    validate_resident_id,
)

CENT = Decimal("0.01")

_EXTERNAL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_MONEY_RE = re.compile(r"^-?\d+(\.\d{1,2})?$")
_DOCUMENT_RE = re.compile(r"^[A-Z0-9]{5,20}$")
_PHONE_RE = re.compile(r"^\+?\d{7,15}$")
_ACCOUNT_NO_RE = re.compile(r"^[0-9A-Z]{6,32}$")
COUNTRY_RE = re.compile(r"^[A-Z]{3}$")


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineError:
    """One problem with one line: ``field`` is a path like ``cards[0].number`` ("" = the
    whole line)."""

    line_no: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return _("line %(line)d: %(where)s%(message)s") % {
            "line": self.line_no,
            "where": where,
            "message": self.message,
        }

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line_no, "field": self.field, "message": self.message}


class LineRejected(Exception):
    def __init__(self, errors: list[LineError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


# --- reading fields ------------------------------------------------------------------------

_MISSING: Any = object()


@dataclass
class Item:
    """A validated object of a line: model field values, references resolved when the line
    is written, and nested lists."""

    path: str
    values: dict[str, Any]
    ref: dict[str, Any] = field(default_factory=dict)
    children: dict[str, list[Item]] = field(default_factory=dict)


@lru_cache(maxsize=64)
def _allowed(choices: type[models.TextChoices]) -> frozenset[str]:
    return frozenset(choices.values)


def short_repr(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 30 else text[:27] + "..."


class Reader:
    """Reads one JSON object field by field, recording each problem under its path."""

    def __init__(self, data: dict, path: str, errors: list[LineError], line_no: int):
        self.data = data
        self.path = path
        self.errors = errors
        self.line_no = line_no
        self._seen: set[str] = set()

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, message: str) -> None:
        self.errors.append(LineError(self.line_no, self.at(key), str(message)))

    def _get(self, key: str, required: bool) -> Any:
        self._seen.add(key)
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(key, _("This field is required."))
            return _MISSING
        return value

    def finish(self) -> None:
        for key in self.data:
            if key in self._seen:
                continue
            if "password" in key.lower() or key.lower() in {"cvn", "cvv", "pin"}:
                self.error(
                    key,
                    _(
                        "Passwords and card security codes are never imported: cardholders "
                        "set their passwords on the hotline. Remove this field."
                    ),
                )
            else:
                self.error(key, _("Unknown field: check its spelling against the import format."))

    def text(self, key: str, *, max_length: int, required: bool = False) -> str:
        value = self._get(key, required)
        if value is _MISSING:
            return ""
        if not isinstance(value, str):
            self.error(key, _("Give text as a JSON string in double quotes."))
            return ""
        value = value.strip()
        if len(value) > max_length:
            self.error(
                key,
                _("At most %(max)d characters are allowed; this has %(count)d.")
                % {"max": max_length, "count": len(value)},
            )
        return value

    def external_id(self, key: str = "external_id") -> str:
        value = self.text(key, max_length=64, required=True)
        if value and not _EXTERNAL_ID_RE.match(value):
            self.error(
                key,
                _(
                    "An external id is 1 to 64 letters, digits and . _ : / - and starts with "
                    "a letter or digit."
                ),
            )
        return value

    def choice(self, key: str, choices: type[models.TextChoices], *, default: str = "") -> str:
        return self._check_choice(key, self._get(key, False), choices, default)

    def required_choice(self, key: str, choices: type[models.TextChoices]) -> str:
        return self._check_choice(key, self._get(key, True), choices, "")

    def _check_choice(self, key, value, choices, default) -> str:
        if value is _MISSING:
            return default
        if value not in _allowed(choices):
            self.error(
                key,
                _("Unknown value %(value)s: use one of %(allowed)s.")
                % {"value": short_repr(value), "allowed": ", ".join(choices.values)},
            )
            return default
        return value

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str) or not _DATE_RE.match(value):
            self.error(key, _("Give a date as YYYY-MM-DD, for example 2026-09-05."))
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.error(key, _("%(value)s is not a real date.") % {"value": value})
            return None

    def month(self, key: str, *, required: bool = False) -> str:
        value = self._get(key, required)
        if value is _MISSING:
            return ""
        if not isinstance(value, str) or not _MONTH_RE.match(value):
            self.error(key, _("Give a month as YYYY-MM, for example 2026-09."))
            return ""
        return value

    def datetime(self, key: str, *, required: bool = False) -> dt.datetime | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        parsed = None
        if isinstance(value, str) and _DATETIME_RE.match(value):
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                parsed = None
        if parsed is None:
            self.error(
                key,
                _(
                    "Give a time as YYYY-MM-DDTHH:MM:SS with an optional offset, for example "
                    "2026-09-05T14:30:00+08:00 (without an offset, Beijing time is meant)."
                ),
            )
            return None
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
        return parsed

    def money(
        self,
        key: str,
        *,
        required: bool = True,
        default: Decimal | None = None,
        minimum: Decimal | None = None,
        above: Decimal | None = None,
        max_digits: int = 14,
    ) -> Decimal:
        value = self._get(key, required)
        fallback = default if default is not None else Decimal("0.00")
        if value is _MISSING:
            return fallback
        text = value.strip() if isinstance(value, str) else value
        if isinstance(value, bool) or not isinstance(text, str | int | Decimal):
            text = None
        elif not isinstance(text, str):
            text = str(text)
        if text is None or not _MONEY_RE.match(text):
            self.error(
                key,
                _(
                    "Give an amount as a decimal number with at most 2 decimal places, "
                    'for example "1234.50".'
                ),
            )
            return fallback
        amount = Decimal(text).quantize(CENT)
        if len(text.lstrip("-").split(".")[0].lstrip("0")) > max_digits - 2:
            self.error(key, _("This amount is too large."))
            return fallback
        if minimum is not None and amount < minimum:
            self.error(key, _("This amount cannot be below %(min)s.") % {"min": minimum})
        if above is not None and amount <= above:
            self.error(key, _("This amount must be above %(min)s.") % {"min": above})
        return amount

    def integer(self, key: str, *, low: int, high: int, default: int | None = None) -> int:
        value = self._get(key, default is None)
        if value is _MISSING:
            return default if default is not None else low
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(
                key, _("Give a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
            )
            return default if default is not None else low
        return value

    def boolean(self, key: str, *, default: bool | None) -> bool | None:
        value = self._get(key, False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.error(key, _("Give true or false."))
            return default
        return value

    def number(self, key: str, validator: Callable[[str], str], *, required: bool = True) -> str:
        value = self._get(key, required)
        if value is _MISSING:
            return ""
        if not isinstance(value, str):
            self.error(
                key, _("Give the number as a JSON string in double quotes, so no digit is lost.")
            )
            return ""
        try:
            return validator(value)
        except ValidationError as exc:
            self.error(key, " ".join(exc.messages))
            return ""

    def obj(self, key: str) -> Reader | None:
        value = self._get(key, False)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self.error(key, _("Give an object in braces { }."))
            return None
        return Reader(value, self.at(key), self.errors, self.line_no)

    def items(self, key: str) -> list[Reader]:
        value = self._get(key, False)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.error(key, _("Give a list in brackets [ ]."))
            return []
        readers = []
        for i, element in enumerate(value):
            path = f"{key}[{i}]"
            if not isinstance(element, dict):
                self.error(path, _("Give an object in braces { }."))
                continue
            readers.append(Reader(element, self.at(path), self.errors, self.line_no))
        return readers


def validate_other_document(value: str) -> str:
    number = normalize_number(value)
    if not _DOCUMENT_RE.match(number):
        raise ValidationError(
            _("A document number has 5 to 20 letters and digits."), code="document_format"
        )
    return number


def validate_resident_id_today(value: str) -> str:
    return validate_resident_id(value, today=timezone.localdate())


def validate_phone(value: str) -> str:
    number = re.sub(r"[\s()\-]", "", value)
    if not _PHONE_RE.match(number):
        raise ValidationError(
            _("A phone number has 7 to 15 digits, with the area code, for example 021-54321234."),
            code="phone_format",
        )
    return number


def validate_account_no(value: str) -> str:
    number = normalize_number(value)
    if not _ACCOUNT_NO_RE.match(number):
        raise ValidationError(
            _("An account number has 6 to 32 digits or capital letters."), code="account_format"
        )
    return number


def validate_debit_account(value: str) -> str:
    number = normalize_number(value)
    if not (number.isdigit() and 10 <= len(number) <= 30):
        raise ValidationError(
            _("A debit account number has 10 to 30 digits."), code="debit_account_format"
        )
    return number


def validate_ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise ValidationError(
            _("Give an IPv4 or IPv6 address, for example 203.0.113.7."), code="ip_format"
        ) from None


def last_day_of_month(month: str) -> dt.date | None:
    if not month:
        return None
    year, mon = int(month[:4]), int(month[5:7])
    first_next = dt.date(year + mon // 12, mon % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)
