"""Deterministic demo data (``kefu demo``): fixed customers, demo staff and bulk customers.

Three parts, each safe to run again on the same database:

- Demo staff, one per role, and the ``telephony`` service account: upserted by user name,
  passwords reset to ``Kefu#2026`` on every run, a new telephony API token on every run (the
  old demo tokens are revoked, since only a hash of a token is kept).
- The fixed customers of FIXED_CUSTOMERS, whose numbers the documentation, the training and
  other features rely on: customers, documents, phones, accounts and cards are upserted by
  their external ids and numbers (their primary keys stay stable), and their scenario is
  put back as documented — card states, the password lock of today, 13 monthly statements
  ending before the run date, unbilled transactions up to it, the large transfer of the
  previous trading day. Their statements, transactions, installments, holdings, transfers
  and logins are replaced; they are the same whatever the seed.
- ``count`` bulk customers made with Faker('zh_CN') from ``seed``. Customer ``i`` has the
  external id ``demo-s<seed>-<i:07d>`` and is only added when missing, so a second run adds
  nothing and a run with a larger count adds only the new ones. A database holds the bulk
  customers of one seed only: another seed is refused rather than mixed in.

Determinism: the numbers of customer ``i`` (resident ID, mobile, card) come from keyed
permutations of ``i``, so they are unique by construction and never need a database check;
everything else comes from a random generator and a Faker seeded per chunk of CHUNK
customers. Same seed, same count and same run date give the same data, and the first
customers of a larger count are those of a smaller one.

Modules: ``data`` (reference data and the fixed table), ``numbers`` (money, dates, keyed
permutations), ``staff``, ``fixed``, ``bulk`` (the generator) and ``rows`` (fast inserts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import ValidationFailed
from kefu.core.roles import sync_roles
from kefu.core.services import audit_record
from kefu.customers.demo.bulk import (
    BulkGenerator,
    bulk_customers_ensure,
    bulk_password_hashes,
    check_seed,
    existing_bulk_indices,
)
from kefu.customers.demo.data import (
    BULK_QUERY_PASSWORDS,
    CHUNK,
    DEFAULT_CUSTOMERS,
    DEMO_PASSWORD,
    DEMO_STAFF,
    FIXED_CUSTOMERS,
    LIUYANG_OLD_CARD,
    MAX_BULK_CUSTOMERS,
    TELEPHONY_ROLE_ZH,
    TELEPHONY_TOKEN_NAME,
    TELEPHONY_USERNAME,
    DemoStaff,
    FixedCustomer,
)
from kefu.customers.demo.fixed import fixed_customers_ensure
from kefu.customers.demo.numbers import (
    FIXED_ID_CODES,
    RESERVED_MOBILE_CODES,
    KeyedPermutation,
    bulk_external_id,
    bulk_prefix,
)
from kefu.customers.demo.staff import account_managers_ensure, demo_staff_ensure

__all__ = [
    "BULK_QUERY_PASSWORDS",
    "CHUNK",
    "DEFAULT_CUSTOMERS",
    "DEMO_PASSWORD",
    "DEMO_STAFF",
    "FIXED_CUSTOMERS",
    "FIXED_ID_CODES",
    "LIUYANG_OLD_CARD",
    "MAX_BULK_CUSTOMERS",
    "RESERVED_MOBILE_CODES",
    "TELEPHONY_ROLE_ZH",
    "TELEPHONY_TOKEN_NAME",
    "TELEPHONY_USERNAME",
    "BulkGenerator",
    "DemoResult",
    "DemoStaff",
    "FixedCustomer",
    "KeyedPermutation",
    "account_managers_ensure",
    "bulk_customers_ensure",
    "bulk_external_id",
    "bulk_password_hashes",
    "bulk_prefix",
    "check_seed",
    "demo_load",
    "demo_staff_ensure",
    "existing_bulk_indices",
    "fixed_customers_ensure",
]


@dataclass
class DemoResult:
    staff: tuple[DemoStaff, ...]
    telephony_token: str
    fixed_customers: int
    bulk_requested: int
    bulk_created: int
    bulk_seconds: float

    @property
    def rate(self) -> float:
        """Bulk customers generated per second (0 when none were missing)."""
        return self.bulk_created / self.bulk_seconds if self.bulk_seconds > 0 else 0.0


def demo_load(
    *,
    seed: int = 1,
    customers: int = DEFAULT_CUSTOMERS,
    today: dt.date | None = None,
    progress: bool = True,
) -> DemoResult:
    """Load, or put back, the demo: staff, fixed customers and ``customers`` bulk customers.

    Expects a migrated database. ``today`` (default: the local date) anchors every relative
    date: statements, today's password lock, the previous trading day. Raises
    ValidationFailed for a bad count and Conflict when the database holds the bulk
    customers of another seed (before anything is written).
    """
    if not 0 <= customers <= MAX_BULK_CUSTOMERS:
        raise ValidationFailed(
            _("The number of demo customers must be between 0 and %(max)d; %(count)d was asked.")
            % {"max": MAX_BULK_CUSTOMERS, "count": customers},
            errors={
                "customers": [_("Choose a number from 0 to %(max)d.") % {"max": MAX_BULK_CUSTOMERS}]
            },
        )
    today = today or timezone.localdate()
    check_seed(seed)
    sync_roles()
    token = demo_staff_ensure()
    managers = account_managers_ensure()
    fixed_customers_ensure(today=today, managers=managers)
    created, seconds = bulk_customers_ensure(
        seed=seed, count=customers, today=today, managers=managers, progress=progress
    )
    audit_record(
        actor=None,
        action="demo.loaded",
        data={"seed": seed, "customers": customers, "created": created},
    )
    return DemoResult(
        staff=DEMO_STAFF,
        telephony_token=token,
        fixed_customers=len(FIXED_CUSTOMERS),
        bulk_requested=customers,
        bulk_created=created,
        bulk_seconds=seconds,
    )
