"""Reading and validating one line of the core-banking import format (no database)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from kefu.core.validators import (
    normalize_resident_id,
    resident_id_birth_date,
    validate_card_number,
    validate_mobile,
)
from kefu.customers.importer.fields import (
    COUNTRY_RE,
    Item,
    LineError,
    LineRejected,
    Reader,
    last_day_of_month,
    validate_account_no,
    validate_debit_account,
    validate_ip,
    validate_other_document,
    validate_phone,
    validate_resident_id_today,
)
from kefu.customers.models import (
    AmlFlag,
    BrokerageAccount,
    Card,
    CardAccount,
    CardApplication,
    Channel,
    Currency,
    Customer,
    CustomerPhone,
    FundTransfer,
    Holding,
    IdentityDocument,
    Installment,
    Segment,
    Transaction,
)


def _no_duplicates(readers_items: list[tuple[Reader, Item]], key, name: str, what: str) -> None:
    seen: dict[Any, str] = {}
    for reader, item in readers_items:
        k = key(item)
        if k in seen:
            reader.error(
                name,
                _("Listed twice in this line: %(other)s has the same %(what)s.")
                % {"other": seen[k], "what": what},
            )
        else:
            seen[k] = item.path


def _parse_manager(r: Reader | None) -> Item | None:
    if r is None:
        return None
    item = Item(
        path=r.path,
        values={
            "employee_no": r.external_id("employee_no"),
            "name": r.text("name", max_length=64, required=True),
            "branch": r.text("branch", max_length=100),
            "phone": r.text("phone", max_length=32),
        },
    )
    r.finish()
    return item


def _parse_transaction(r: Reader, *, on_card: bool) -> Item:
    values: dict[str, Any] = {
        "external_id": r.external_id(),
        "kind": r.required_choice("kind", Transaction.Kind),
        "transaction_date": r.date("transaction_date", required=True),
        "posting_date": r.date("posting_date", required=True),
        "description": r.text("description", max_length=200, required=True),
        "merchant": r.text("merchant", max_length=100),
        "currency": r.choice("currency", Currency, default=Currency.CNY),
        "amount": r.money("amount"),
    }
    ref: dict[str, Any] = {"statement_period": r.month("statement_period"), "card": ""}
    if not on_card:
        ref["card"] = r.number("card", validate_card_number, required=False)
    posted, made = values["posting_date"], values["transaction_date"]
    if posted and made and posted < made:
        r.error("posting_date", _("The posting date cannot be before the transaction date."))
    r.finish()
    return Item(path=r.path, values=values, ref=ref)


def _parse_statement(r: Reader) -> Item:
    values: dict[str, Any] = {
        "currency": r.choice("currency", Currency, default=Currency.CNY),
        "period": r.month("period", required=True),
        "statement_date": r.date("statement_date", required=True),
        "due_date": r.date("due_date", required=True),
        "previous_balance": r.money("previous_balance"),
        "payments": r.money("payments"),
        "new_charges": r.money("new_charges"),
        "amount_due": r.money("amount_due"),
        "minimum_payment": r.money("minimum_payment", minimum=Decimal("0")),
        "paid_amount": r.money("paid_amount", required=False),
    }
    issued, due = values["statement_date"], values["due_date"]
    if issued and due and due < issued:
        r.error("due_date", _("The due date cannot be before the statement date."))
    if values["amount_due"] > 0 and values["minimum_payment"] > values["amount_due"]:
        r.error("minimum_payment", _("The minimum payment cannot be above the amount due."))
    r.finish()
    return Item(path=r.path, values=values)


def _parse_installment(r: Reader) -> Item:
    values: dict[str, Any] = {
        "principal": r.money("principal", above=Decimal("0")),
        "periods": r.integer("periods", low=1, high=120),
        "periods_paid": r.integer("periods_paid", low=0, high=120, default=0),
        "fee_per_period": r.money("fee_per_period", minimum=Decimal("0")),
        "status": r.choice("status", Installment.Status, default=Installment.Status.ACTIVE),
        "created_on": r.date("created_on", required=True),
    }
    if values["periods_paid"] > values["periods"]:
        r.error("periods_paid", _("More periods paid than the plan has."))
    ref: dict[str, Any] = {"statement_period": r.month("statement_period")}
    r.finish()
    return Item(path=r.path, values=values, ref=ref)


def _parse_account(r: Reader) -> Item:
    zero = Decimal("0")
    values: dict[str, Any] = {
        "external_id": r.external_id(),
        "status": r.choice("status", CardAccount.Status, default=CardAccount.Status.ACTIVE),
        "credit_limit_cny": r.money("credit_limit_cny", minimum=zero),
        "available_credit_cny": r.money("available_credit_cny"),
        "cash_limit_cny": r.money("cash_limit_cny", minimum=zero),
        "available_cash_cny": r.money("available_cash_cny"),
        "credit_limit_usd": r.money("credit_limit_usd", required=False, minimum=zero),
        "available_credit_usd": r.money("available_credit_usd", required=False),
        "cash_limit_usd": r.money("cash_limit_usd", required=False, minimum=zero),
        "available_cash_usd": r.money("available_cash_usd", required=False),
        "statement_day": r.integer("statement_day", low=1, high=28),
        "due_day": r.integer("due_day", low=1, high=28),
        "statement_delivery": r.choice(
            "statement_delivery", CardAccount.Delivery, default=CardAccount.Delivery.EMAIL
        ),
        "opened_on": r.date("opened_on", required=True),
        "auto_repay_enabled": False,
        "auto_repay_mode": "",
        "auto_repay_account": "",
    }
    for currency in ("cny", "usd"):
        if values[f"available_cash_{currency}"] > values[f"cash_limit_{currency}"]:
            r.error(
                f"available_cash_{currency}",
                _("The available cash cannot be above the cash advance limit."),
            )
    auto = r.obj("auto_repay")
    if auto is not None:
        values["auto_repay_enabled"] = True
        values["auto_repay_mode"] = auto.required_choice("mode", CardAccount.AutoRepayMode)
        values["auto_repay_account"] = auto.number("debit_account", validate_debit_account)
        auto.finish()
    statements = [(s, _parse_statement(s)) for s in r.items("statements")]
    _no_duplicates(
        statements,
        lambda i: (i.values["currency"], i.values["period"]),
        "period",
        _("currency and period"),
    )
    installments = [(i, _parse_installment(i)) for i in r.items("installments")]
    _no_duplicates(
        installments,
        lambda i: (i.values["created_on"], i.values["principal"], i.values["periods"]),
        "created_on",
        _("date, principal and periods"),
    )
    transactions = [_parse_transaction(t, on_card=False) for t in r.items("transactions")]
    r.finish()
    return Item(
        path=r.path,
        values=values,
        children={
            "statements": [i for _r, i in statements],
            "installments": [i for _r, i in installments],
            "transactions": transactions,
        },
    )


def _parse_card(r: Reader) -> Item:
    number = r.number("number", validate_card_number)
    values: dict[str, Any] = {
        "role": r.required_choice("role", Card.Role),
        "product": r.text("product", max_length=64, required=True),
        "status": r.required_choice("status", Card.Status),
        "expiry": last_day_of_month(r.month("expiry", required=True)),
        "issued_on": r.date("issued_on", required=True),
        "cash_advance_enabled": r.boolean("cash_advance_enabled", default=True),
        "swipe_password_enabled": r.boolean("swipe_password_enabled", default=False),
    }
    # Kefu itself records activation and blocking (IVR); left out, its own times are kept.
    kept = {
        "activated_at": r.datetime("activated_at"),
        "blocked_at": r.datetime("blocked_at"),
    }
    ref: dict[str, Any] = {
        "number": number,
        "account": r.text("account", max_length=64, required=True),
    }
    transactions = [_parse_transaction(t, on_card=True) for t in r.items("transactions")]
    r.finish()
    ref["kept"] = {k: v for k, v in kept.items() if v is not None}
    return Item(path=r.path, values=values, ref=ref, children={"transactions": transactions})


def _parse_document(r: Reader) -> Item:
    doc_type = r.required_choice("type", IdentityDocument.Type)
    validator = (
        validate_resident_id_today
        if doc_type == IdentityDocument.Type.RESIDENT_ID
        else validate_other_document
    )
    number = r.number("number", validator)
    country = r.text("issuing_country", max_length=3).upper() or "CHN"
    if not COUNTRY_RE.match(country):
        r.error("issuing_country", _("Give a three-letter ISO 3166 country code, such as CHN."))
    values: dict[str, Any] = {
        "doc_type": doc_type,
        "number": number,
        "issuing_country": country,
        "valid_until": r.date("valid_until"),
        "is_primary": r.boolean("primary", default=None),
    }
    r.finish()
    return Item(path=r.path, values=values)


def _parse_phone(r: Reader) -> Item:
    kind = r.required_choice("kind", CustomerPhone.Kind)
    validator = validate_mobile if kind == CustomerPhone.Kind.MOBILE else validate_phone
    values: dict[str, Any] = {
        "kind": kind,
        "number": r.number("number", validator),
        "registered": r.boolean("registered", default=False),
    }
    r.finish()
    return Item(path=r.path, values=values)


def _parse_application(r: Reader) -> Item:
    id_type = r.choice("applicant_id_type", IdentityDocument.Type, default="resident_id")
    validator = (
        validate_resident_id_today
        if id_type == IdentityDocument.Type.RESIDENT_ID
        else validate_other_document
    )
    values: dict[str, Any] = {
        "external_id": r.external_id(),
        "applicant_name": r.text("applicant_name", max_length=64),
        "applicant_id_number": r.number("applicant_id_number", validator),
        "product": r.text("product", max_length=64, required=True),
        "status": r.required_choice("status", CardApplication.Status),
        "submitted_on": r.date("submitted_on", required=True),
        "updated_on": r.date("updated_on", required=True),
        "note": r.text("note", max_length=200),
    }
    submitted, progressed = values["submitted_on"], values["updated_on"]
    if submitted and progressed and progressed < submitted:
        r.error("updated_on", _("The last progress date cannot be before the submission date."))
    r.finish()
    return Item(path=r.path, values=values)


def _parse_brokerage(r: Reader) -> Item:
    zero = Decimal("0")
    values: dict[str, Any] = {
        "external_id": r.external_id(),
        "kind": r.required_choice("kind", BrokerageAccount.Kind),
        "account_no": r.number("account_no", validate_account_no),
        "opened_on": r.date("opened_on", required=True),
        "status": r.choice("status", BrokerageAccount.Status, default="active"),
        "branch": r.text("branch", max_length=100),
    }
    manager = _parse_manager(r.obj("account_manager"))
    holdings = []
    for h in r.items("holdings"):
        holdings.append(
            (
                h,
                Item(
                    path=h.path,
                    values={
                        "product_code": h.text("product_code", max_length=16, required=True),
                        "product_name": h.text("product_name", max_length=100, required=True),
                        "product_type": h.required_choice("product_type", Holding.ProductType),
                        "quantity": h.money("quantity", minimum=zero, max_digits=18),
                        "market_value": h.money("market_value", minimum=zero, max_digits=18),
                        "as_of": h.date("as_of", required=True),
                    },
                ),
            )
        )
        h.finish()
    _no_duplicates(holdings, lambda i: i.values["product_code"], "product_code", _("product code"))
    transfers = []
    for t in r.items("transfers"):
        transfers.append(
            (
                t,
                Item(
                    path=t.path,
                    values={
                        "external_id": t.external_id(),
                        "direction": t.required_choice("direction", FundTransfer.Direction),
                        "amount": t.money("amount", above=zero, max_digits=18),
                        "occurred_at": t.datetime("occurred_at", required=True),
                        "counterpart_bank": t.text("counterpart_bank", max_length=64),
                    },
                ),
            )
        )
        t.finish()
    _no_duplicates(transfers, lambda i: i.values["external_id"], "external_id", _("external id"))
    logins = []
    for g in r.items("logins"):
        logins.append(
            (
                g,
                Item(
                    path=g.path,
                    values={
                        "ip": g.number("ip", validate_ip),
                        "logged_in_at": g.datetime("logged_in_at", required=True),
                        "channel": g.text("channel", max_length=32),
                    },
                ),
            )
        )
        g.finish()
    _no_duplicates(
        logins,
        lambda i: (i.values["ip"], i.values["logged_in_at"]),
        "logged_in_at",
        _("address and time"),
    )
    r.finish()
    return Item(
        path=r.path,
        values=values,
        ref={"account_manager": manager},
        children={
            "holdings": [i for _r, i in holdings],
            "transfers": [i for _r, i in transfers],
            "logins": [i for _r, i in logins],
        },
    )


def _parse_aml_flag(r: Reader) -> Item:
    values: dict[str, Any] = {
        "code": r.text("code", max_length=32, required=True),
        "description": r.text("description", max_length=200, required=True),
        "raised_on": r.date("raised_on", required=True),
        "status": r.choice("status", AmlFlag.Status, default=AmlFlag.Status.OPEN),
    }
    r.finish()
    return Item(path=r.path, values=values)


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice in one object")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def parse_line(text: str, line_no: int) -> Item:
    """Validate one line of the import format; raises LineRejected with every problem found.

    Needs no database: references to other rows are checked when the line is written.
    """
    text = text.rstrip("\r\n")
    try:
        data = json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=_reject_duplicate_keys,
        )
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            problem = _("%(problem)s at character %(column)d") % {
                "problem": exc.msg,
                "column": exc.colno,
            }
        else:
            problem = str(exc)
        raise LineRejected(
            [
                LineError(
                    line_no,
                    "",
                    _(
                        "This line is not valid JSON (%(problem)s): each line must be one "
                        "JSON object."
                    )
                    % {"problem": problem},
                )
            ]
        ) from None
    if not isinstance(data, dict):
        raise LineRejected(
            [LineError(line_no, "", _("Each line must be one JSON object in braces { }."))]
        )
    errors: list[LineError] = []
    r = Reader(data, "", errors, line_no)
    external_id = r.external_id()
    values: dict[str, Any] = {
        "name": r.text("name", max_length=64, required=True),
        "gender": r.choice("gender", Customer.Gender, default=""),
        "birth_date": r.date("birth_date"),
        "mobile": r.number("mobile", validate_mobile),
        "email": r.text("email", max_length=254),
        "address": r.text("address", max_length=200),
        "segment": r.choice("segment", Segment, default=Segment.STANDARD),
        "preferred_channel": r.choice("preferred_channel", Channel, default=Channel.PHONE),
        "risk_level": r.choice("risk_level", Customer.RiskLevel, default=""),
    }
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            r.error("email", _("Give an email address like name@example.com."))
    manager = _parse_manager(r.obj("account_manager"))

    documents = [(d, _parse_document(d)) for d in r.items("documents")]
    _no_duplicates(documents, lambda i: i.values["number"], "number", _("number"))
    primaries = [d for _r, d in documents if d.values["is_primary"]]
    for reader, doc in documents:
        if len(primaries) > 1 and doc.values["is_primary"] and doc is not primaries[0]:
            reader.error("primary", _("Only one identity document can be the primary one."))
        if doc.values["is_primary"] is None:
            doc.values["is_primary"] = not primaries and doc is documents[0][1]
    resident = next(
        (d for _r, d in documents if d.values["doc_type"] == "resident_id" and d.values["number"]),
        None,
    )
    if resident is not None:
        number = normalize_resident_id(resident.values["number"])
        born = resident_id_birth_date(number)
        if values["birth_date"] is None:
            values["birth_date"] = born
        elif values["birth_date"] != born:
            r.error(
                "birth_date",
                _("The birth date differs from the one in the resident ID at %(path)s.")
                % {"path": resident.path},
            )
        if not values["gender"]:
            values["gender"] = "M" if int(number[16]) % 2 else "F"
    values["gender"] = values["gender"] or Customer.Gender.UNKNOWN

    phones = [(p, _parse_phone(p)) for p in r.items("phones")]
    _no_duplicates(phones, lambda i: i.values["number"], "number", _("number"))

    accounts = [(a, _parse_account(a)) for a in r.items("card_accounts")]
    _no_duplicates(accounts, lambda i: i.values["external_id"], "external_id", _("external id"))
    cards = [(c, _parse_card(c)) for c in r.items("cards")]
    _no_duplicates(cards, lambda i: i.ref["number"], "number", _("number"))
    applications = [(a, _parse_application(a)) for a in r.items("applications")]
    _no_duplicates(applications, lambda i: i.values["external_id"], "external_id", _("external id"))
    brokerage = [(b, _parse_brokerage(b)) for b in r.items("brokerage_accounts")]
    _no_duplicates(brokerage, lambda i: i.values["external_id"], "external_id", _("external id"))
    aml = [(f, _parse_aml_flag(f)) for f in r.items("aml_flags")]
    _no_duplicates(
        aml, lambda i: (i.values["code"], i.values["raised_on"]), "raised_on", _("code and date")
    )
    r.finish()

    # Transactions may sit under an account or under the card they were made with; their
    # external ids are unique across both.
    seen: dict[str, str] = {}
    for _r, holder in [*accounts, *cards]:
        for txn in holder.children["transactions"]:
            ext = txn.values["external_id"]
            if ext and ext in seen:
                errors.append(
                    LineError(
                        line_no,
                        f"{txn.path}.external_id",
                        _("Listed twice in this line: %(other)s has the same %(what)s.")
                        % {"other": seen[ext], "what": _("external id")},
                    )
                )
            seen.setdefault(ext, txn.path)

    if errors:
        raise LineRejected(errors)
    return Item(
        path="",
        values={"external_id": external_id, **values},
        ref={"account_manager": manager},
        children={
            "documents": [i for _r, i in documents],
            "phones": [i for _r, i in phones],
            "card_accounts": [i for _r, i in accounts],
            "cards": [i for _r, i in cards],
            "applications": [i for _r, i in applications],
            "brokerage_accounts": [i for _r, i in brokerage],
            "aml_flags": [i for _r, i in aml],
        },
    )
