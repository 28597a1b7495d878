"""Customer API: exact search and the customer 360, masked (SEC-3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from kefu.core.errors import ValidationFailed
from kefu.core.masking import mask_account, mask_card, mask_id_number, mask_mobile
from kefu.core.permissions import check_perms
from kefu.core.roles import VIEW_CUSTOMER
from kefu.customers import selectors, services

router = Router(tags=["customers"])


class CustomerHitOut(Schema):
    id: int
    name: str
    mobile: str
    segment: str
    document: str
    cards: list[str]


class SearchOut(Schema):
    results: list[CustomerHitOut]


def _hit(customer) -> CustomerHitOut:
    doc = next(iter(customer.documents.all()), None)
    return CustomerHitOut(
        id=customer.pk,
        name=customer.name,
        mobile=mask_mobile(customer.mobile),
        segment=customer.segment,
        document=mask_id_number(doc.number) if doc else "",
        cards=[c.masked_number for c in customer.cards.all()],
    )


@router.get("/search", response=SearchOut, summary="Find customers by mobile, ID or card number")
def search(request: HttpRequest, q: str):
    """Exact match on a mobile number, identity document number or card number (CUS-7)."""
    check_perms(request.user, VIEW_CUSTOMER)
    q = q.strip()
    if not selectors.classify_query(q):
        raise ValidationFailed(
            _("Search by a mobile number, an ID number or a card number."),
            errors={
                "q": [_("Enter a mobile number, an identity document number or a card number.")]
            },
        )
    customers = selectors.customer_search(q=q).prefetch_related("documents", "cards")
    return {"results": [_hit(c) for c in customers]}


class DocumentOut(Schema):
    id: int
    type: str
    number: str
    issuing_country: str
    valid_until: dt.date | None


class CardOut(Schema):
    id: int
    number: str
    last4: str
    role: str
    status: str
    product: str
    holder_id: int
    holder_name: str
    account_id: int
    expiry: dt.date
    cash_advance_enabled: bool
    swipe_password_enabled: bool
    query_password_set: bool
    query_password_locked_on: dt.date | None


class MoneyLimitsOut(Schema):
    currency: str
    credit_limit: Decimal
    available_credit: Decimal
    cash_limit: Decimal
    available_cash: Decimal


class StatementOut(Schema):
    id: int
    period: str
    currency: str
    statement_date: dt.date
    due_date: dt.date
    amount_due: Decimal
    minimum_payment: Decimal
    paid_amount: Decimal


class TransactionOut(Schema):
    transaction_date: dt.date
    description: str
    merchant: str
    currency: str
    amount: Decimal
    kind: str
    card_last4: str


class AccountOut(Schema):
    id: int
    status: str
    limits: list[MoneyLimitsOut]
    statement_day: int
    due_day: int
    statement_delivery: str
    auto_repay_enabled: bool
    auto_repay_mode: str
    auto_repay_account: str
    statements: list[StatementOut]
    unbilled: list[TransactionOut]
    recent_transactions: list[TransactionOut]


class ApplicationOut(Schema):
    id: int
    product: str
    status: str
    submitted_on: dt.date
    updated_on: dt.date
    note: str


class HoldingOut(Schema):
    product_code: str
    product_name: str
    product_type: str
    market_value: Decimal


class TransferOut(Schema):
    direction: str
    amount: Decimal
    occurred_at: dt.datetime


class BrokerageOut(Schema):
    id: int
    kind: str
    account_no: str
    opened_on: dt.date
    status: str
    account_manager: str
    holdings: list[HoldingOut]
    transfers: list[TransferOut]


class TimelineOut(Schema):
    at: str
    kind: str
    title: str
    detail: str


class Customer360Out(Schema):
    id: int
    name: str
    gender: str
    birth_date: dt.date | None
    mobile: str
    email: str
    address: str
    segment: str
    preferred_channel: str
    risk_level: str
    account_manager: str
    documents: list[DocumentOut]
    phones: list[str]
    cards: list[CardOut]
    accounts: list[AccountOut]
    applications: list[ApplicationOut]
    brokerage_accounts: list[BrokerageOut]
    timeline: list[TimelineOut]


def _txn(t) -> TransactionOut:
    return TransactionOut(
        transaction_date=t.transaction_date,
        description=t.description,
        merchant=t.merchant,
        currency=t.currency,
        amount=t.amount,
        kind=t.kind,
        card_last4=t.card.last4 if t.card else "",
    )


def serialize_360(view: selectors.Customer360) -> Customer360Out:
    c = view.customer
    return Customer360Out(
        id=c.pk,
        name=c.name,
        gender=c.gender,
        birth_date=c.birth_date,
        mobile=mask_mobile(c.mobile),
        email=c.email,
        address=c.address,
        segment=c.segment,
        preferred_channel=c.preferred_channel,
        risk_level=c.risk_level,
        account_manager=str(c.account_manager) if c.account_manager else "",
        documents=[
            DocumentOut(
                id=d.pk,
                type=d.doc_type,
                number=mask_id_number(d.number),
                issuing_country=d.issuing_country,
                valid_until=d.valid_until,
            )
            for d in view.documents
        ],
        phones=[mask_mobile(p.number) for p in view.phones],
        cards=[
            CardOut(
                id=k.pk,
                number=mask_card(k.number),
                last4=k.last4,
                role=k.role,
                status=k.status,
                product=k.product,
                holder_id=k.holder_id,
                holder_name=k.holder.name,
                account_id=k.account_id,
                expiry=k.expiry,
                cash_advance_enabled=k.cash_advance_enabled,
                swipe_password_enabled=k.swipe_password_enabled,
                query_password_set=k.has_query_password,
                query_password_locked_on=k.query_password_locked_on,
            )
            for k in view.cards
        ],
        accounts=[
            AccountOut(
                id=a.pk,
                status=a.status,
                limits=[
                    MoneyLimitsOut(
                        currency="CNY",
                        credit_limit=a.credit_limit_cny,
                        available_credit=a.available_credit_cny,
                        cash_limit=a.cash_limit_cny,
                        available_cash=a.available_cash_cny,
                    ),
                    MoneyLimitsOut(
                        currency="USD",
                        credit_limit=a.credit_limit_usd,
                        available_credit=a.available_credit_usd,
                        cash_limit=a.cash_limit_usd,
                        available_cash=a.available_cash_usd,
                    ),
                ],
                statement_day=a.statement_day,
                due_day=a.due_day,
                statement_delivery=a.statement_delivery,
                auto_repay_enabled=a.auto_repay_enabled,
                auto_repay_mode=a.auto_repay_mode,
                auto_repay_account=mask_account(a.auto_repay_account),
                statements=[
                    StatementOut(
                        id=s.pk,
                        period=s.period,
                        currency=s.currency,
                        statement_date=s.statement_date,
                        due_date=s.due_date,
                        amount_due=s.amount_due,
                        minimum_payment=s.minimum_payment,
                        paid_amount=s.paid_amount,
                    )
                    for s in view.statements[a.pk]
                ],
                unbilled=[_txn(t) for t in view.unbilled[a.pk]],
                recent_transactions=[_txn(t) for t in view.recent_transactions[a.pk]],
            )
            for a in view.accounts
        ],
        applications=[
            ApplicationOut(
                id=p.pk,
                product=p.product,
                status=p.status,
                submitted_on=p.submitted_on,
                updated_on=p.updated_on,
                note=p.note,
            )
            for p in view.applications
        ],
        brokerage_accounts=[
            BrokerageOut(
                id=b.pk,
                kind=b.kind,
                account_no=mask_account(b.account_no),
                opened_on=b.opened_on,
                status=b.status,
                account_manager=str(b.account_manager) if b.account_manager else "",
                holdings=[
                    HoldingOut(
                        product_code=h.product_code,
                        product_name=h.product_name,
                        product_type=h.product_type,
                        market_value=h.market_value,
                    )
                    for h in b.holdings.all()
                ],
                transfers=[
                    TransferOut(direction=t.direction, amount=t.amount, occurred_at=t.occurred_at)
                    for t in b.transfers.all()
                ],
            )
            for b in view.brokerage_accounts
        ],
        timeline=[
            TimelineOut(at=e.at.isoformat(), kind=e.kind, title=str(e.title), detail=str(e.detail))
            for e in view.timeline
        ],
    )


@router.get("/{int:customer_id}", response=Customer360Out, summary="Customer 360, masked")
def customer_detail(request: HttpRequest, customer_id: int):
    check_perms(request.user, VIEW_CUSTOMER)
    customer = selectors.customer_get(pk=customer_id)
    services.customer_view_record(customer=customer, by=request.user, channel="api")
    return serialize_360(selectors.customer_360(customer=customer))


class RevealIn(Schema):
    field: Literal["mobile", "document", "phone", "card"]
    item_id: int | None = None


class RevealOut(Schema):
    field: str
    value: str


@router.post(
    "/{int:customer_id}/reveal", response=RevealOut, summary="Reveal one full number (audited)"
)
def reveal(request: HttpRequest, customer_id: int, payload: RevealIn):
    check_perms(request.user, VIEW_CUSTOMER)
    customer = selectors.customer_get(pk=customer_id)
    value = services.customer_reveal(
        customer=customer, field=payload.field, by=request.user, item_id=payload.item_id
    )
    return RevealOut(field=payload.field, value=value)
