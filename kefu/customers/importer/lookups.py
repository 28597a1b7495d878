"""Rows the lines of one import chunk refer to, read in a few queries."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from kefu.core.crypto import lookup_hash
from kefu.customers.importer.parsing import Item
from kefu.customers.models import (
    AccountManager,
    AmlFlag,
    BrokerageAccount,
    Card,
    CardAccount,
    CardApplication,
    Customer,
    CustomerPhone,
    FundTransfer,
    Holding,
    IdentityDocument,
    Installment,
    LoginRecord,
    Statement,
    Transaction,
)

# --- look-ups shared by the lines of one chunk --------------------------------------------------


def _batched(values: Iterable, size: int = 500) -> Iterator[list]:
    batch: list = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Lookups:
    """Rows the lines of one chunk refer to, read in a few queries up front.

    A key that was not read up front is looked up on its own, so correctness never depends
    on the prefetch. Rows written by a line are put back here; after a failed line
    everything is dropped, since its rolled-back rows may still sit in the caches.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.customers: dict[str, Customer | None] = {}
        self.managers: dict[str, AccountManager | None] = {}
        self.documents: dict[str, IdentityDocument | None] = {}
        self.accounts: dict[str, CardAccount | None] = {}
        self.cards: dict[str, Card | None] = {}
        self.transactions: dict[str, Transaction | None] = {}
        self.applications: dict[str, CardApplication | None] = {}
        self.brokerage: dict[str, BrokerageAccount | None] = {}
        self.transfers: dict[str, FundTransfer | None] = {}
        # parent pk -> {natural key: row}
        self.phones: dict[int, dict] = {}
        self.statements: dict[int, dict] = {}
        self.installments: dict[int, dict] = {}
        self.holdings: dict[int, dict] = {}
        self.logins: dict[int, dict] = {}
        self.aml: dict[int, dict] = {}

    # single rows by key
    @staticmethod
    def _one(cache: dict, key, query: Callable[[], Any]):
        if key not in cache:
            cache[key] = query()
        return cache[key]

    def customer(self, ext: str) -> Customer | None:
        return self._one(
            self.customers, ext, lambda: Customer.objects.filter(external_id=ext).first()
        )

    def manager(self, no: str) -> AccountManager | None:
        return self._one(
            self.managers, no, lambda: AccountManager.objects.filter(employee_no=no).first()
        )

    def document(self, number_hash: str) -> IdentityDocument | None:
        return self._one(
            self.documents,
            number_hash,
            lambda: (
                IdentityDocument.objects.select_related("customer")
                .filter(number_hash=number_hash)
                .first()
            ),
        )

    def account(self, ext: str) -> CardAccount | None:
        return self._one(
            self.accounts,
            ext,
            lambda: CardAccount.objects.select_related("customer").filter(external_id=ext).first(),
        )

    def card(self, number_hash: str) -> Card | None:
        return self._one(
            self.cards,
            number_hash,
            lambda: (
                Card.objects.select_related("holder", "account")
                .filter(number_hash=number_hash)
                .first()
            ),
        )

    def transaction(self, ext: str) -> Transaction | None:
        return self._one(
            self.transactions,
            ext,
            lambda: Transaction.objects.select_related("account").filter(external_id=ext).first(),
        )

    def application(self, ext: str) -> CardApplication | None:
        return self._one(
            self.applications,
            ext,
            lambda: (
                CardApplication.objects.select_related("customer").filter(external_id=ext).first()
            ),
        )

    def brokerage_account(self, ext: str) -> BrokerageAccount | None:
        return self._one(
            self.brokerage,
            ext,
            lambda: (
                BrokerageAccount.objects.select_related("customer").filter(external_id=ext).first()
            ),
        )

    def transfer(self, ext: str) -> FundTransfer | None:
        return self._one(
            self.transfers,
            ext,
            lambda: FundTransfer.objects.select_related("account").filter(external_id=ext).first(),
        )

    # rows of a parent, by natural key
    def phones_of(self, customer: Customer) -> dict:
        return self._one(
            self.phones,
            customer.pk,
            lambda: {p.number_hash: p for p in CustomerPhone.objects.filter(customer=customer)},
        )

    def statements_of(self, account: CardAccount) -> dict:
        return self._one(
            self.statements,
            account.pk,
            lambda: {(s.currency, s.period): s for s in Statement.objects.filter(account=account)},
        )

    def installments_of(self, account: CardAccount) -> dict:
        return self._one(
            self.installments,
            account.pk,
            lambda: {
                (i.created_on, i.principal, i.periods): i
                for i in Installment.objects.filter(account=account)
            },
        )

    def holdings_of(self, account: BrokerageAccount) -> dict:
        return self._one(
            self.holdings,
            account.pk,
            lambda: {h.product_code: h for h in Holding.objects.filter(account=account)},
        )

    def logins_of(self, account: BrokerageAccount) -> dict:
        return self._one(
            self.logins,
            account.pk,
            lambda: {
                (g.ip, g.logged_in_at): g for g in LoginRecord.objects.filter(account=account)
            },
        )

    def aml_of(self, customer: Customer) -> dict:
        return self._one(
            self.aml,
            customer.pk,
            lambda: {(f.code, f.raised_on): f for f in AmlFlag.objects.filter(customer=customer)},
        )

    # reading a whole chunk up front
    @staticmethod
    def _fill(cache: dict, keys: set, queryset, attr: str) -> None:
        keys = {k for k in keys if k and k not in cache}
        for batch in _batched(sorted(keys)):
            for row in queryset.filter(**{f"{attr}__in": batch}):
                cache[getattr(row, attr)] = row
        for key in keys:
            cache.setdefault(key, None)

    @staticmethod
    def _fill_children(cache: dict, parents: Iterable, queryset, parent_attr: str, key) -> None:
        pks = {p.pk for p in parents if p is not None and p.pk not in cache}
        for pk in pks:
            cache[pk] = {}
        for batch in _batched(sorted(pks)):
            for row in queryset.filter(**{f"{parent_attr}__in": batch}):
                cache[getattr(row, parent_attr)][key(row)] = row

    def prefetch(self, records: list[Item]) -> None:
        keys: dict[str, set] = {
            name: set()
            for name in (
                "customers managers documents accounts cards transactions applications "
                "brokerage transfers"
            ).split()
        }
        for rec in records:
            c = rec.children
            keys["customers"].add(rec.values["external_id"])
            managers = [rec.ref["account_manager"]] + [
                b.ref["account_manager"] for b in c["brokerage_accounts"]
            ]
            keys["managers"] |= {m.values["employee_no"] for m in managers if m is not None}
            keys["documents"] |= {
                lookup_hash("document", d.values["number"]) for d in c["documents"]
            }
            keys["accounts"] |= {a.values["external_id"] for a in c["card_accounts"]}
            keys["accounts"] |= {card.ref["account"] for card in c["cards"]}
            keys["cards"] |= {lookup_hash("card", card.ref["number"]) for card in c["cards"]}
            for holder in [*c["card_accounts"], *c["cards"]]:
                for t in holder.children["transactions"]:
                    keys["transactions"].add(t.values["external_id"])
                    if t.ref["card"]:
                        keys["cards"].add(lookup_hash("card", t.ref["card"]))
            keys["applications"] |= {a.values["external_id"] for a in c["applications"]}
            keys["brokerage"] |= {b.values["external_id"] for b in c["brokerage_accounts"]}
            for b in c["brokerage_accounts"]:
                keys["transfers"] |= {t.values["external_id"] for t in b.children["transfers"]}

        self._fill(self.customers, keys["customers"], Customer.objects.all(), "external_id")
        self._fill(self.managers, keys["managers"], AccountManager.objects.all(), "employee_no")
        self._fill(
            self.documents,
            keys["documents"],
            IdentityDocument.objects.select_related("customer"),
            "number_hash",
        )
        self._fill(
            self.accounts,
            keys["accounts"],
            CardAccount.objects.select_related("customer"),
            "external_id",
        )
        self._fill(
            self.cards,
            keys["cards"],
            Card.objects.select_related("holder", "account"),
            "number_hash",
        )
        self._fill(
            self.transactions,
            keys["transactions"],
            Transaction.objects.select_related("account"),
            "external_id",
        )
        self._fill(
            self.applications,
            keys["applications"],
            CardApplication.objects.select_related("customer"),
            "external_id",
        )
        self._fill(
            self.brokerage,
            keys["brokerage"],
            BrokerageAccount.objects.select_related("customer"),
            "external_id",
        )
        self._fill(
            self.transfers,
            keys["transfers"],
            FundTransfer.objects.select_related("account"),
            "external_id",
        )
        customers = list(self.customers.values())
        accounts = list(self.accounts.values())
        brokerage = list(self.brokerage.values())
        self._fill_children(
            self.phones,
            customers,
            CustomerPhone.objects.all(),
            "customer_id",
            lambda p: p.number_hash,
        )
        self._fill_children(
            self.aml,
            customers,
            AmlFlag.objects.all(),
            "customer_id",
            lambda f: (f.code, f.raised_on),
        )
        self._fill_children(
            self.statements,
            accounts,
            Statement.objects.all(),
            "account_id",
            lambda s: (s.currency, s.period),
        )
        self._fill_children(
            self.installments,
            accounts,
            Installment.objects.all(),
            "account_id",
            lambda i: (i.created_on, i.principal, i.periods),
        )
        self._fill_children(
            self.holdings, brokerage, Holding.objects.all(), "account_id", lambda h: h.product_code
        )
        self._fill_children(
            self.logins,
            brokerage,
            LoginRecord.objects.all(),
            "account_id",
            lambda g: (g.ip, g.logged_in_at),
        )
