"""Prompt templates: ``{name}`` or ``{name|filter}`` inside Chinese text, read out naturally.

Filters turn the plain values that actions keep (amounts as "3256.18", dates as
"2026-10-23") into what a caller should hear: 人民币3,256.18元, 2026年10月23日, 尾号0013.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

# Variables every call has, besides those that actions and inputs set.
ENGINE_VARS = {"caller_tail"}


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def amount(value: Any) -> str:
    """3256.18 → 3,256.18"""
    return f"{_decimal(value):,.2f}"


def cny(value: Any) -> str:
    """人民币3,256.18元 (负 for a credit balance)."""
    d = _decimal(value)
    sign = "负" if d < 0 else ""
    return f"{sign}人民币{abs(d):,.2f}元"


def usd(value: Any) -> str:
    d = _decimal(value)
    sign = "负" if d < 0 else ""
    return f"{sign}{abs(d):,.2f}美元"


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def date(value: Any) -> str:
    """2026-10-23 → 2026年10月23日"""
    d = _as_date(value)
    return f"{d.year}年{d.month}月{d.day}日" if d else str(value)


def monthday(value: Any) -> str:
    """2026-10-23 → 10月23日"""
    d = _as_date(value)
    return f"{d.month}月{d.day}日" if d else str(value)


def month(value: Any) -> str:
    """2026-10 → 2026年10月"""
    text = str(value)
    m = re.match(r"^(\d{4})-?(\d{2})", text)
    return f"{int(m[1])}年{int(m[2])}月" if m else text


def tail(value: Any) -> str:
    """0013 → 尾号0013"""
    return f"尾号{str(value)[-4:]}"


def digits(value: Any) -> str:
    """123456 → 1 2 3 4 5 6 (read one by one)"""
    return " ".join(str(value))


FILTERS: dict[str, Callable[[Any], str]] = {
    "amount": amount,
    "cny": cny,
    "usd": usd,
    "date": date,
    "monthday": monthday,
    "month": month,
    "tail": tail,
    "digits": digits,
}


def _split(inner: str) -> tuple[str, str]:
    name, _sep, flt = inner.partition("|")
    return name.strip(), flt.strip()


def check_template(text: str) -> list[str]:
    """Problems with a template's placeholders (unknown filters, bad names, stray braces)."""
    problems = []
    for m in _PLACEHOLDER.finditer(text):
        name, flt = _split(m[1])
        if not _NAME.match(name):
            problems.append(f"{{{m[1]}}} is not a variable name (lower-case letters, digits, _)")
        if flt and flt not in FILTERS:
            problems.append(
                f"unknown filter {flt!r} in {{{m[1]}}}; use one of {', '.join(sorted(FILTERS))}"
            )
    if "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
        problems.append("a brace { or } without its pair")
    return problems


def template_vars(text: str) -> list[str]:
    return [_split(m[1])[0] for m in _PLACEHOLDER.finditer(text)]


def render(text: str, values: Mapping[str, Any]) -> str:
    """Fill a template; a variable without a value reads as nothing."""

    def fill(m: re.Match[str]) -> str:
        name, flt = _split(m[1])
        value = values.get(name)
        if value is None or value == "":
            return ""
        return FILTERS[flt](value) if flt else str(value)

    return _PLACEHOLDER.sub(fill, text)
