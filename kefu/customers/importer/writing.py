"""Writing one validated import line in its transaction, and noting what changed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from kefu.core.crypto import lookup_hash
from kefu.core.masking import mask_account, mask_card, mask_id_number, mask_mobile, mask_text
from kefu.customers.importer.lookups import Lookups
from kefu.customers.importer.parsing import Item, LineError, LineRejected
from kefu.customers.models import (
    AccountManager,
    AmlFlag,
    BrokerageAccount,
    Card,
    CardAccount,
    CardApplication,
    Currency,
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

# --- writing one line ------------------------------------------------------------------------

# Numbers kept encrypted, with their keyed-hash column and kind.
_HASHED: dict[tuple[type[models.Model], str], tuple[str, str]] = {
    (Customer, "mobile"): ("mobile_hash", "mobile"),
    (CustomerPhone, "number"): ("number_hash", "mobile"),
    (IdentityDocument, "number"): ("number_hash", "document"),
    (CardApplication, "applicant_id_number"): ("applicant_id_hash", "document"),
}
# How personal numbers appear in the audit log (SEC-3).
_MASKS: dict[tuple[type[models.Model], str], Callable[[str], str]] = {
    (Customer, "mobile"): mask_mobile,
    (CustomerPhone, "number"): mask_mobile,
    (IdentityDocument, "number"): mask_id_number,
    (CardApplication, "applicant_id_number"): mask_id_number,
    (CardAccount, "auto_repay_account"): mask_account,
    (BrokerageAccount, "account_no"): mask_account,
}


def _masked(model: type[models.Model], name: str, value: Any) -> Any:
    mask = _MASKS.get((model, name))
    if mask is not None:
        return mask(value or "")
    if isinstance(value, str):
        return mask_text(value)
    return value


class LineWriter:
    """Writes one parsed line inside its transaction and notes what changed."""

    def __init__(self, lookups: Lookups, line_no: int):
        self.lookups = lookups
        self.line_no = line_no
        self.changes: dict[str, tuple[Any, Any]] = {}
        self.created: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()

    def reject(self, path: str, message: str) -> LineRejected:
        return LineRejected([LineError(self.line_no, path, message)])

    # generic create / update
    def _new(self, model: type[models.Model], values: dict[str, Any], **fixed) -> Any:
        obj = model(**values, **fixed)
        for (hashed_model, name), (hash_field, kind) in _HASHED.items():
            if hashed_model is model:
                setattr(obj, hash_field, lookup_hash(kind, getattr(obj, name)))
        self.created[model._meta.label_lower.split(".")[1]] += 1
        return obj

    def _create(self, model: type[models.Model], values: dict[str, Any], **fixed) -> Any:
        obj = self._new(model, values, **fixed)
        obj.save(force_insert=True)
        return obj

    def _update(self, obj: models.Model, values: dict[str, Any], label: str) -> bool:
        model = type(obj)
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if not changed:
            return False
        also: list[str] = []
        for name in changed:
            old, new = getattr(obj, name), values[name]
            self.changes[f"{label}.{name}" if label else name] = (
                _masked(model, name, old),
                _masked(model, name, new),
            )
            setattr(obj, name, new)
            hashed = _HASHED.get((model, name))
            if hashed is not None:
                setattr(obj, hashed[0], lookup_hash(hashed[1], new))
                also.append(hashed[0])
        if model is Customer:
            also.append("updated_at")
        obj.save(update_fields=changed + also)
        self.updated[model._meta.label_lower.split(".")[1]] += 1
        return True

    # the line
    def write(self, rec: Item) -> tuple[Customer, bool]:
        L = self.lookups
        values = dict(rec.values)
        manager = self._manager(rec.ref["account_manager"])
        values["account_manager_id"] = manager.pk if manager is not None else None
        ext = values.pop("external_id")
        customer = L.customer(ext)
        is_new = customer is None
        if customer is None:
            customer = self._create(Customer, values, external_id=ext)
            L.customers[ext] = customer
            # A new customer has no phones or flags yet: no need to ask the database.
            L.phones[customer.pk] = {}
            L.aml[customer.pk] = {}
            self.changes.update(
                {
                    name: (None, _masked(Customer, name, v))
                    for name, v in values.items()
                    if v not in ("", None)
                }
            )
        else:
            self._update(customer, values, "")
        c = rec.children
        self._documents(customer, c["documents"])
        self._phones(customer, c["phones"])
        for account in c["card_accounts"]:
            self._account(customer, account)
        for card in c["cards"]:
            self._card(customer, card)
        for account in c["card_accounts"]:
            acct = L.accounts[account.values["external_id"]]
            assert acct is not None
            self._transactions(acct, account.children["transactions"], card=None)
            self._installments(acct, account.children["installments"])
        for card in c["cards"]:
            card_obj = L.cards[lookup_hash("card", card.ref["number"])]
            assert card_obj is not None
            self._transactions(card_obj.account, card.children["transactions"], card=card_obj)
        for application in c["applications"]:
            self._application(customer, application)
        for brokerage in c["brokerage_accounts"]:
            self._brokerage(customer, brokerage)
        self._aml(customer, c["aml_flags"])
        return customer, is_new

    def _manager(self, item: Item | None) -> AccountManager | None:
        if item is None:
            return None
        values = dict(item.values)
        no = values.pop("employee_no")
        manager = self.lookups.manager(no)
        if manager is None:
            manager = self._create(AccountManager, values, employee_no=no)
            self.lookups.managers[no] = manager
        else:
            self._update(manager, values, f"account_manager[{no}]")
        return manager

    def _documents(self, customer: Customer, items: list[Item]) -> None:
        for item in items:
            number_hash = lookup_hash("document", item.values["number"])
            doc = self.lookups.document(number_hash)
            if doc is None:
                doc = self._create(IdentityDocument, item.values, customer=customer)
                self.lookups.documents[number_hash] = doc
            elif doc.customer_id != customer.pk:
                raise self.reject(
                    f"{item.path}.number",
                    _(
                        "This document number already belongs to another customer "
                        "(external id %(other)s); one document identifies one person."
                    )
                    % {"other": doc.customer.external_id},
                )
            else:
                self._update(doc, item.values, f"documents[{mask_id_number(doc.number)}]")

    def _phones(self, customer: Customer, items: list[Item]) -> None:
        phones = self.lookups.phones_of(customer)
        for item in items:
            number_hash = lookup_hash("mobile", item.values["number"])
            phone = phones.get(number_hash)
            if phone is None:
                phones[number_hash] = self._create(CustomerPhone, item.values, customer=customer)
            else:
                self._update(phone, item.values, f"phones[{mask_mobile(phone.number)}]")

    def _account(self, customer: Customer, item: Item) -> None:
        L = self.lookups
        values = dict(item.values)
        ext = values.pop("external_id")
        account = L.account(ext)
        if account is None:
            account = self._create(CardAccount, values, external_id=ext, customer=customer)
            L.accounts[ext] = account
            L.statements[account.pk] = {}
            L.installments[account.pk] = {}
        elif account.customer_id != customer.pk:
            raise self.reject(
                f"{item.path}.external_id",
                _(
                    "This card account belongs to another customer (external id %(other)s): "
                    "list an account only on its primary cardholder's line."
                )
                % {"other": account.customer.external_id},
            )
        else:
            self._update(account, values, f"card_accounts[{ext}]")
        statements = L.statements_of(account)
        new = []
        for st in item.children["statements"]:
            key = (st.values["currency"], st.values["period"])
            row = statements.get(key)
            if row is None:
                row = self._new(Statement, st.values, account=account)
                statements[key] = row
                new.append(row)
            else:
                self._update(row, st.values, f"card_accounts[{ext}].statements[{key[0]} {key[1]}]")
        if new:
            Statement.objects.bulk_create(new)

    def _card(self, customer: Customer, item: Item) -> None:
        L = self.lookups
        number = item.ref["number"]
        number_hash = lookup_hash("card", number)
        account_ext = item.ref["account"]
        account = L.account(account_ext)
        if account is None:
            raise self.reject(
                f"{item.path}.account",
                _(
                    "No card account with external id %(ext)s: list it under card_accounts on "
                    "this line or on an earlier line (its primary cardholder's)."
                )
                % {"ext": account_ext},
            )
        if item.values["role"] == Card.Role.PRIMARY and account.customer_id != customer.pk:
            raise self.reject(
                f"{item.path}.role",
                _(
                    "A primary card must be on its holder's own account; account %(ext)s "
                    "belongs to another customer, so this card is a supplementary card."
                )
                % {"ext": account_ext},
            )
        values = {
            **item.values,
            **item.ref["kept"],
            "account_id": account.pk,
            "holder_id": customer.pk,
        }
        card = L.card(number_hash)
        label = f"cards[{mask_card(number)}]"
        if card is None:
            card = Card(**values)
            card.set_number(number)
            card.save(force_insert=True)
            self.created["card"] += 1
            L.cards[number_hash] = card
        elif card.holder_id != customer.pk:
            raise self.reject(
                f"{item.path}.number",
                _(
                    "This card number already belongs to another cardholder (external id "
                    "%(other)s); a card keeps its holder, a new holder gets a new card."
                )
                % {"other": card.holder.external_id},
            )
        else:
            self._update(card, values, label)
        card.account = account

    def _transactions(self, account: CardAccount, items: list[Item], card: Card | None) -> None:
        L = self.lookups
        new = []
        for item in items:
            values = dict(item.values)
            ext = values["external_id"]
            statement_id = None
            period = item.ref["statement_period"]
            if period:
                st = L.statements_of(account).get((values["currency"], period))
                if st is None:
                    raise self.reject(
                        f"{item.path}.statement_period",
                        _(
                            "Account %(ext)s has no %(currency)s statement for %(period)s: list "
                            "that statement, or leave this field out for unbilled transactions."
                        )
                        % {
                            "ext": account.external_id,
                            "currency": values["currency"],
                            "period": period,
                        },
                    )
                statement_id = st.pk
            card_obj = card
            if item.ref["card"]:
                card_obj = L.card(lookup_hash("card", item.ref["card"]))
                if card_obj is None or card_obj.account_id != account.pk:
                    raise self.reject(
                        f"{item.path}.card",
                        _(
                            "No card with this number on account %(ext)s: list the card under "
                            "cards first, or put the transaction under that card."
                        )
                        % {"ext": account.external_id},
                    )
            values["statement_id"] = statement_id
            values["card_id"] = card_obj.pk if card_obj is not None else None
            txn = L.transaction(ext)
            if txn is None:
                txn = self._new(Transaction, values, account=account)
                L.transactions[ext] = txn
                new.append(txn)
            elif txn.account_id != account.pk:
                raise self.reject(
                    f"{item.path}.external_id",
                    _("This transaction id is already used on another card account (%(ext)s).")
                    % {"ext": txn.account.external_id},
                )
            else:
                self._update(txn, values, f"transactions[{ext}]")
        if new:
            Transaction.objects.bulk_create(new)

    def _installments(self, account: CardAccount, items: list[Item]) -> None:
        L = self.lookups
        rows = L.installments_of(account)
        new = []
        for item in items:
            values = dict(item.values)
            statement_id = None
            if item.ref["statement_period"]:
                st = L.statements_of(account).get((Currency.CNY, item.ref["statement_period"]))
                if st is None:
                    raise self.reject(
                        f"{item.path}.statement_period",
                        _(
                            "Account %(ext)s has no CNY statement for %(period)s: list that "
                            "statement, or leave this field out."
                        )
                        % {"ext": account.external_id, "period": item.ref["statement_period"]},
                    )
                statement_id = st.pk
            values["statement_id"] = statement_id
            key = (values["created_on"], values["principal"], values["periods"])
            row = rows.get(key)
            if row is None:
                row = self._new(Installment, values, account=account)
                rows[key] = row
                new.append(row)
            else:
                self._update(
                    row,
                    values,
                    f"card_accounts[{account.external_id}].installments[{key[0]} {key[1]}]",
                )
        if new:
            Installment.objects.bulk_create(new)

    def _application(self, customer: Customer, item: Item) -> None:
        values = dict(item.values)
        values["applicant_name"] = values["applicant_name"] or customer.name
        values["customer_id"] = customer.pk
        ext = values.pop("external_id")
        row = self.lookups.application(ext)
        if row is None:
            self.lookups.applications[ext] = self._create(CardApplication, values, external_id=ext)
        elif row.customer_id not in (None, customer.pk):
            raise self.reject(
                f"{item.path}.external_id",
                _("This application belongs to another customer (external id %(other)s).")
                % {"other": getattr(row.customer, "external_id", "")},
            )
        else:
            self._update(row, values, f"applications[{ext}]")

    def _brokerage(self, customer: Customer, item: Item) -> None:
        L = self.lookups
        manager = self._manager(item.ref["account_manager"])
        values = dict(item.values)
        values["account_manager_id"] = manager.pk if manager is not None else None
        ext = values.pop("external_id")
        account = L.brokerage_account(ext)
        if account is None:
            account = self._create(BrokerageAccount, values, external_id=ext, customer=customer)
            L.brokerage[ext] = account
            L.holdings[account.pk] = {}
            L.logins[account.pk] = {}
        elif account.customer_id != customer.pk:
            raise self.reject(
                f"{item.path}.external_id",
                _("This brokerage account belongs to another customer (external id %(other)s).")
                % {"other": account.customer.external_id},
            )
        else:
            self._update(account, values, f"brokerage_accounts[{ext}]")
        label = f"brokerage_accounts[{ext}]"
        self._children(
            Holding,
            L.holdings_of(account),
            item.children["holdings"],
            key=lambda v: v["product_code"],
            label=lambda k: f"{label}.holdings[{k}]",
            account=account,
        )
        self._children(
            LoginRecord,
            L.logins_of(account),
            item.children["logins"],
            key=lambda v: (v["ip"], v["logged_in_at"]),
            label=lambda k: f"{label}.logins[{k[0]} {k[1].isoformat()}]",
            account=account,
        )
        new = []
        for t in item.children["transfers"]:
            t_ext = t.values["external_id"]
            row = L.transfer(t_ext)
            if row is None:
                row = self._new(FundTransfer, t.values, account=account)
                L.transfers[t_ext] = row
                new.append(row)
            elif row.account_id != account.pk:
                raise self.reject(
                    f"{t.path}.external_id",
                    _("This transfer id is already used on another brokerage account (%(ext)s).")
                    % {"ext": row.account.external_id},
                )
            else:
                self._update(row, t.values, f"{label}.transfers[{t_ext}]")
        if new:
            FundTransfer.objects.bulk_create(new)

    def _aml(self, customer: Customer, items: list[Item]) -> None:
        self._children(
            AmlFlag,
            self.lookups.aml_of(customer),
            items,
            key=lambda v: (v["code"], v["raised_on"]),
            label=lambda k: f"aml_flags[{k[0]} {k[1]}]",
            customer=customer,
        )

    def _children(self, model, rows: dict, items: list[Item], *, key, label, **parent) -> None:
        new = []
        for item in items:
            k = key(item.values)
            row = rows.get(k)
            if row is None:
                row = self._new(model, item.values, **parent)
                rows[k] = row
                new.append(row)
            else:
                self._update(row, item.values, label(k))
        if new:
            model.objects.bulk_create(new)
