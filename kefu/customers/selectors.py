"""Customer reads: exact search through keyed hashes, and the customer 360 (CUS-7)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.crypto import lookup_hash, normalize_number
from kefu.core.errors import NotFound
from kefu.core.validators import luhn_checksum_ok, normalize_mobile
from kefu.customers.models import (
    BrokerageAccount,
    Card,
    CardAccount,
    CardApplication,
    Customer,
    CustomerPhone,
    FundTransfer,
    IdentityDocument,
    Statement,
    Transaction,
)


def classify_query(q: str) -> str:
    """What kind of number a search string is: "mobile", "card", "document" or ""."""
    n = normalize_number(q)
    mobile = normalize_mobile(n)
    if len(mobile) == 11 and mobile.isdigit() and mobile.startswith("1"):
        return "mobile"
    if n.isdigit() and 13 <= len(n) <= 19 and luhn_checksum_ok(n) and len(n) != 18:
        return "card"
    if len(n) == 18 and n[:17].isdigit():
        # An 18-digit number could be a resident ID or (rarely) a card: the caller tries both.
        return "document"
    if 5 <= len(n) <= 20 and n.isalnum():
        return "document"
    return ""


def customer_search(*, q: str, limit: int = 20) -> QuerySet[Customer]:
    """Customers whose mobile, other phone, identity document or card number is exactly ``q``.

    One query: the keyed hash of ``q`` is compared with each hash column, so nothing is
    decrypted and only exact matches are found (SEC-3).
    """
    kind = classify_query(q)
    if not kind:
        return Customer.objects.none()
    n = normalize_number(q)
    if kind == "mobile":
        h = lookup_hash("mobile", normalize_mobile(n))
        ids = [
            Customer.objects.filter(mobile_hash=h).values("id"),
            CustomerPhone.objects.filter(number_hash=h).values("customer_id"),
        ]
    elif kind == "card":
        ids = [Card.objects.filter(number_hash=lookup_hash("card", n)).values("holder_id")]
    else:
        ids = [
            IdentityDocument.objects.filter(number_hash=lookup_hash("document", n)).values(
                "customer_id"
            )
        ]
        if n.isdigit() and luhn_checksum_ok(n):
            ids.append(Card.objects.filter(number_hash=lookup_hash("card", n)).values("holder_id"))
    # IN over a UNION, not an OR of conditions: PostgreSQL cannot use an index for
    # "hash = x OR id IN (…)" and walks the whole customer table instead.
    matching = ids[0].union(*ids[1:]) if len(ids) > 1 else ids[0]
    return Customer.objects.filter(pk__in=matching).order_by("id")[:limit]


def customer_by_mobile(*, mobile: str) -> Customer | None:
    h = lookup_hash("mobile", normalize_mobile(mobile))
    return Customer.objects.filter(mobile_hash=h).first()


def customer_by_document(*, number: str) -> Customer | None:
    doc = (
        IdentityDocument.objects.select_related("customer")
        .filter(number_hash=lookup_hash("document", number))
        .first()
    )
    return doc.customer if doc else None


def customer_by_card(*, number: str) -> Customer | None:
    card = (
        Card.objects.select_related("holder")
        .filter(number_hash=lookup_hash("card", number))
        .first()
    )
    return card.holder if card else None


def customer_get(*, pk: int) -> Customer:
    customer = Customer.objects.select_related("account_manager").filter(pk=pk).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str  # "application", "card", … later "call", "ticket", "callback", "chat"
    title: str
    detail: str = ""
    url: str = ""


@dataclass
class Customer360:
    customer: Customer
    documents: list[IdentityDocument]
    phones: list[CustomerPhone]
    cards: list[Card]
    accounts: list[CardAccount]
    statements: dict[int, list[Statement]]
    unbilled: dict[int, list[Transaction]]
    recent_transactions: dict[int, list[Transaction]]
    applications: list[CardApplication]
    brokerage_accounts: list[BrokerageAccount]
    timeline: list[TimelineEntry] = field(default_factory=list)


STATEMENTS_SHOWN = 13
RECENT_TRANSACTIONS = 20


def customer_360(*, customer: Customer, timeline_limit: int = 50) -> Customer360:
    """Everything the 360 page shows, in a fixed number of queries (pinned by a test).

    Cards include supplementary cards on the customer's accounts held by others, and the
    customer's own supplementary cards on someone else's account.
    """
    documents = list(customer.documents.order_by("-is_primary", "id"))
    phones = list(customer.phones.order_by("id"))
    cards = list(
        Card.objects.select_related("holder", "account")
        .filter(Q(holder=customer) | Q(account__customer=customer))
        .order_by("account_id", "role", "id")
    )
    account_ids = sorted(
        {c.account_id for c in cards} | set(customer.card_accounts.values_list("id", flat=True))
    )
    accounts = list(CardAccount.objects.filter(pk__in=account_ids).order_by("id"))
    statements: dict[int, list[Statement]] = {a.pk: [] for a in accounts}
    for s in Statement.objects.filter(account_id__in=account_ids, currency="CNY").order_by(
        "account_id", "-statement_date"
    ):
        if len(statements[s.account_id]) < STATEMENTS_SHOWN:
            statements[s.account_id].append(s)
    unbilled: dict[int, list[Transaction]] = {a.pk: [] for a in accounts}
    recent: dict[int, list[Transaction]] = {a.pk: [] for a in accounts}
    for t in (
        Transaction.objects.filter(account_id__in=account_ids, statement__isnull=True)
        .select_related("card")
        .order_by("-transaction_date", "-id")
    ):
        unbilled[t.account_id].append(t)
    billed = (
        Transaction.objects.filter(account_id__in=account_ids, statement__isnull=False)
        .select_related("card")
        .order_by("-transaction_date", "-id")[: RECENT_TRANSACTIONS * max(len(account_ids), 1)]
    )
    for t in billed:
        if len(recent[t.account_id]) < RECENT_TRANSACTIONS:
            recent[t.account_id].append(t)
    applications = list(customer.applications.order_by("-submitted_on"))
    brokerage = list(
        customer.brokerage_accounts.select_related("account_manager")
        .prefetch_related(
            "holdings",
            Prefetch("transfers", queryset=FundTransfer.objects.order_by("-occurred_at")),
        )
        .order_by("id")
    )
    view = Customer360(
        customer=customer,
        documents=documents,
        phones=phones,
        cards=cards,
        accounts=accounts,
        statements=statements,
        unbilled=unbilled,
        recent_transactions=recent,
        applications=applications,
        brokerage_accounts=brokerage,
    )
    view.timeline = customer_timeline(customer=customer, view=view, limit=timeline_limit)
    return view


# Other apps add their contact records here: a function (customer, limit) → [TimelineEntry].
TIMELINE_SOURCES: list = []


def register_timeline_source(fn):
    TIMELINE_SOURCES.append(fn)
    return fn


def customer_timeline(
    *, customer: Customer, view: Customer360 | None = None, limit: int = 50
) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    applications = view.applications if view else list(customer.applications.all())
    for a in applications:
        entries.append(
            TimelineEntry(
                at=_start_of_day(a.submitted_on),
                kind="application",
                title=_("Card application: %(product)s") % {"product": a.product},
                detail=a.get_status_display(),
            )
        )
    for source in TIMELINE_SOURCES:
        entries.extend(source(customer, limit))

    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def _start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def core_imports_recent(*, limit: int = 50):
    from kefu.customers.models import CoreImport

    return CoreImport.objects.select_related("started_by").order_by("-queued_at")[:limit]


def core_import_get(*, pk: int):
    from kefu.customers.models import CoreImport

    run = CoreImport.objects.select_related("started_by").filter(pk=pk).first()
    if run is None:
        raise NotFound(_("No such import."))
    return run
