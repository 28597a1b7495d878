"""Money, dates and the keyed permutations that give bulk customers unique numbers."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from kefu.core.calendars import Calendar, CalendarUnknownYear
from kefu.core.validators import resident_id_check_char
from kefu.customers.demo.data import (
    BIRTH_DAYS,
    BIRTH_FIRST,
    FIXED_CUSTOMERS,
    MOBILE_PREFIXES,
    REGION_BY_CODE,
    REGIONS,
    RESIDENT_ID,
    SHANGHAI,
)

# --- small helpers ---------------------------------------------------------------------------


def money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def cents(amount: Decimal) -> int:
    return int(amount * 100)


def local_time(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def month_back(day: dt.date, months: int, on_day: int) -> dt.date:
    """Day ``on_day`` (1–28) of the month ``months`` before ``day``'s (after it when < 0)."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, on_day)


def last_of_month(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def statement_dates(*, statement_day: int, today: dt.date, count: int) -> list[dt.date]:
    """The last ``count`` statement dates on or before ``today``, oldest first."""
    latest = dt.date(today.year, today.month, statement_day)
    if latest > today:
        latest = month_back(today, 1, statement_day)
    return [month_back(latest, n, statement_day) for n in range(count - 1, -1, -1)]


def due_date_for(statement_date: dt.date, due_day: int) -> dt.date:
    if due_day > statement_date.day:
        return statement_date.replace(day=due_day)
    return month_back(statement_date, -1, due_day)


def due_day_for(statement_day: int) -> int:
    """Payment is due 18 days after the statement (due days stay within 1–28)."""
    return (statement_day + 17) % 28 + 1


def minimum_payment(amount_due_cents: int) -> int:
    """10 % of the amount due, at least 10 yuan (never more than is due)."""
    if amount_due_cents <= 0:
        return 0
    return min(amount_due_cents, max(amount_due_cents // 10, 1000))


def luhn_digit(partial: str) -> str:
    """The Luhn check digit of ``partial`` (kefu.core.validators.luhn_check_digit, faster)."""
    total = 0
    for position, ch in enumerate(reversed(partial)):
        d = ord(ch) - 48
        if position % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str(-total % 10)


def previous_trading_day(today: dt.date, calendar: Calendar | None = None) -> dt.date:
    try:
        return (calendar or Calendar()).previous_trading_day(today)
    except CalendarUnknownYear:
        # Demo data only: past the years the calendar knows, the previous weekday will do.
        day = today - dt.timedelta(days=1)
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        return day


# --- unique numbers from an index --------------------------------------------------------------

_M64 = (1 << 64) - 1


class KeyedPermutation:
    """A keyed bijection of range(size): a 4-round Feistel network with cycle walking.

    It turns a customer's index into a random-looking number that no other index of the
    same seed can get, so bulk numbers are unique without asking the database and any
    customer can be regenerated alone. ``forbidden`` outputs are walked past; they must lie
    above every index that is asked for (the tests check this for the fixed numbers).
    """

    def __init__(
        self, size: int, *, seed: int, label: str, forbidden: frozenset[int] = frozenset()
    ):
        bits = max(2, (size - 1).bit_length())
        bits += bits % 2
        self.size = size
        self.half = bits // 2
        self.mask = (1 << self.half) - 1
        digest = hashlib.sha256(f"kefu-demo:{seed}:{label}".encode()).digest()
        self.keys = tuple(int.from_bytes(digest[i * 8 : i * 8 + 8], "big") for i in range(4))
        self.forbidden = forbidden

    def _encrypt(self, x: int) -> int:
        half, mask = self.half, self.mask
        left, right = x >> half, x & mask
        for key in self.keys:
            z = right ^ key
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
            left, right = right, left ^ ((z ^ (z >> 31)) & mask)
        return (left << half) | right

    def __call__(self, index: int) -> int:
        if not 0 <= index < self.size:
            raise ValueError(f"index {index} is outside 0..{self.size - 1}")
        x = self._encrypt(index)
        while x >= self.size or x in self.forbidden:
            x = self._encrypt(x)
        return x


ID_SPACE = len(REGIONS) * BIRTH_DAYS * 999
MOBILE_SPACE = len(MOBILE_PREFIXES) * 10**8
CARD_BODY_FIRST = 10**6  # smaller card bodies are kept for the fixed and hand-made numbers
CARD_SPACE = 10**9 - CARD_BODY_FIRST


def resident_id_from_code(code: int) -> tuple[str, dt.date, str]:
    """(number, birth date, gender) for a code in range(ID_SPACE): region, birth, sequence."""
    rest, seq = divmod(code, 999)
    region, day = divmod(rest, BIRTH_DAYS)
    birth = BIRTH_FIRST + dt.timedelta(days=day)
    first17 = f"{REGIONS[region].code}{birth.year:04d}{birth.month:02d}{birth.day:02d}{seq + 1:03d}"
    # GB 11643: the sequence code is odd for men, even for women.
    return first17 + resident_id_check_char(first17), birth, "M" if (seq + 1) % 2 else "F"


def resident_id_code(number: str) -> int | None:
    """The code resident_id_from_code turns into ``number``; None outside the bulk space."""
    region = REGION_BY_CODE.get(number[:6])
    if region is None or len(number) != 18 or not number[6:17].isdigit():
        return None
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    day, seq = (birth - BIRTH_FIRST).days, int(number[14:17])
    if not 0 <= day < BIRTH_DAYS or seq == 0:
        return None
    return (REGIONS.index(region) * BIRTH_DAYS + day) * 999 + seq - 1


def mobile_from_code(code: int) -> str:
    rest, prefix = divmod(code, len(MOBILE_PREFIXES))
    return f"{MOBILE_PREFIXES[prefix]}{rest:08d}"


def mobile_code(mobile: str) -> int:
    return int(mobile[3:]) * len(MOBILE_PREFIXES) + MOBILE_PREFIXES.index(mobile[:3])


def card_number_from_code(code: int, bin_: str) -> str:
    partial = f"{bin_}{code + CARD_BODY_FIRST:09d}"
    return partial + luhn_digit(partial)


FIXED_ID_CODES = frozenset(
    code
    for code in (resident_id_code(f.document) for f in FIXED_CUSTOMERS if f.doc_type == RESIDENT_ID)
    if code is not None
)
# 1391111xxxx belongs to the fixed customers, now and later.
RESERVED_MOBILE_CODES = frozenset(mobile_code(f"1391111{n:04d}") for n in range(10**4))


class BulkNumbers:
    """The keyed permutations of one seed: customer index → document, mobile, card codes."""

    def __init__(self, seed: int):
        self.document = KeyedPermutation(
            ID_SPACE, seed=seed, label="document", forbidden=FIXED_ID_CODES
        )
        self.mobile = KeyedPermutation(
            MOBILE_SPACE, seed=seed, label="mobile", forbidden=RESERVED_MOBILE_CODES
        )
        self.card = KeyedPermutation(CARD_SPACE, seed=seed, label="card")


def bulk_prefix(seed: int) -> str:
    return f"demo-s{seed}-"


def bulk_external_id(seed: int, index: int) -> str:
    return f"{bulk_prefix(seed)}{index:07d}"
