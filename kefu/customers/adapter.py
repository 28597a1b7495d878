"""CUS-6: the core-banking boundary.

Everything Kefu reads or changes about cards, card accounts and statements goes through one
``CoreBankingAdapter``. A bank plugs in its own core system by writing a class with these
methods and naming it in ``KEFU_CORE_BANKING_ADAPTER``; ``LocalCoreBanking`` keeps the data
in Kefu's own tables and serves the demo and the tests.

The adapter speaks in plain data classes, never ORM objects, and refers to cards and
accounts by opaque string references (``ref``) that only the adapter interprets. Amounts are
Decimal with an explicit currency. Secrets (passwords) go in and are never returned.
"""

from __future__ import annotations

import abc
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from kefu.core.crypto import hash_secret, lookup_hash, secret_needs_rehash, verify_secret
from kefu.core.errors import Conflict, KefuError, NotFound, ValidationFailed
from kefu.core.services import audit_record, model_changes

CENT = Decimal("0.01")


@dataclass(frozen=True)
class CardInfo:
    ref: str
    account_ref: str
    holder_customer_id: int | None
    holder_name: str
    role: str  # "primary" | "supplementary"
    status: str  # "inactive" | "active" | "lost" | "frozen" | "closed"
    product: str
    first6: str
    last4: str
    expiry: dt.date
    has_query_password: bool
    has_transaction_password: bool
    query_password_locked_on: dt.date | None
    cash_advance_enabled: bool
    swipe_password_enabled: bool


@dataclass(frozen=True)
class AccountInfo:
    ref: str
    customer_id: int | None
    status: str
    statement_day: int
    due_day: int
    statement_delivery: str  # "email" | "paper" | "both"
    auto_repay_enabled: bool
    auto_repay_mode: str  # "" | "full" | "minimum"
    auto_repay_account_last4: str


@dataclass(frozen=True)
class Limits:
    currency: str
    credit_limit: Decimal
    available_credit: Decimal
    cash_limit: Decimal
    available_cash: Decimal


@dataclass(frozen=True)
class TransactionInfo:
    transaction_date: dt.date
    posting_date: dt.date
    description: str
    merchant: str
    currency: str
    amount: Decimal
    kind: str
    card_last4: str


@dataclass(frozen=True)
class StatementInfo:
    ref: str
    period: str  # YYYY-MM
    currency: str
    statement_date: dt.date
    due_date: dt.date
    amount_due: Decimal
    minimum_payment: Decimal
    paid_amount: Decimal
    lines: list[TransactionInfo] = field(default_factory=list)


@dataclass(frozen=True)
class CashAdvanceResult:
    reference: str
    amount: Decimal
    fee: Decimal
    currency: str
    available_cash_after: Decimal
    duplicate: bool  # True when the idempotency key had already been used


@dataclass(frozen=True)
class ApplicationInfo:
    ref: str
    product: str
    status: str  # "submitted" | "reviewing" | "approved" | "mailed" | "rejected"
    submitted_on: dt.date
    updated_on: dt.date
    note: str


@dataclass(frozen=True)
class PasswordCheck:
    """The outcome of a query password keyed in (IVR-2): ``result`` is "ok", "wrong",
    "locked" (locked for the day before this try) or "locked_now" (this wrong try locked
    it); ``failures``: wrong tries counted today, this one included."""

    card: CardInfo
    result: str
    failures: int = 0


class CoreBankingError(KefuError):
    """A change the core system refused (card blocked, limit exceeded, …)."""


class CoreBankingAdapter(abc.ABC):
    """Every read and change of card, account and statement data (CUS-6).

    ``by`` is the staff user or service account on whose behalf the change is made, and
    ``channel`` names where it came from ("ivr", "agent", "import"): both go to the audit log.
    """

    # --- reads ---
    @abc.abstractmethod
    def find_card(self, *, number: str) -> CardInfo | None: ...

    @abc.abstractmethod
    def get_card(self, *, card_ref: str) -> CardInfo: ...

    @abc.abstractmethod
    def cards_of_customer(self, *, customer_id: int) -> list[CardInfo]: ...

    @abc.abstractmethod
    def get_account(self, *, account_ref: str) -> AccountInfo: ...

    @abc.abstractmethod
    def limits(self, *, account_ref: str) -> list[Limits]: ...

    @abc.abstractmethod
    def statements(
        self, *, account_ref: str, months: int = 12, currency: str = "CNY"
    ) -> list[StatementInfo]: ...

    @abc.abstractmethod
    def statement(
        self, *, account_ref: str, period: str, currency: str = "CNY", with_lines: bool = True
    ) -> StatementInfo: ...

    @abc.abstractmethod
    def unbilled(self, *, account_ref: str, currency: str = "CNY") -> list[TransactionInfo]: ...

    @abc.abstractmethod
    def applications_by_applicant(self, *, id_number: str) -> list[ApplicationInfo]:
        """Card applications of the applicant with this ID number, newest first (CUS-4)."""

    # --- passwords (secrets in, booleans out) ---
    @abc.abstractmethod
    def verify_query_password(self, *, card_ref: str, password: str) -> bool: ...

    @abc.abstractmethod
    def verify_transaction_password(self, *, card_ref: str, password: str) -> bool: ...

    @abc.abstractmethod
    def set_query_password(self, *, card_ref: str, password: str, by, channel: str) -> None: ...

    @abc.abstractmethod
    def set_transaction_password(
        self, *, card_ref: str, password: str, by, channel: str
    ) -> None: ...

    @abc.abstractmethod
    def record_query_password_failure(
        self, *, card_ref: str, max_failures: int, today: dt.date, by, channel: str
    ) -> int: ...

    @abc.abstractmethod
    def reset_query_password_failures(self, *, card_ref: str) -> None: ...

    def check_query_password(
        self, *, card_ref: str, password: str, max_failures: int, today: dt.date, by, channel: str
    ) -> PasswordCheck:
        """A query password keyed in: refused unread while the card is locked for the day;
        a right one clears the wrong tries, a wrong one is counted and locks the card for
        the day at ``max_failures``. Made of the calls above; an adapter may do it in one
        round trip."""
        card = self.get_card(card_ref=card_ref)
        if card.query_password_locked_on == today:
            return PasswordCheck(card, "locked")
        if self.verify_query_password(card_ref=card_ref, password=password):
            self.reset_query_password_failures(card_ref=card_ref)
            return PasswordCheck(card, "ok")
        failures = self.record_query_password_failure(
            card_ref=card_ref, max_failures=max_failures, today=today, by=by, channel=channel
        )
        return PasswordCheck(card, "locked_now" if failures >= max_failures else "wrong", failures)

    # --- card changes ---
    @abc.abstractmethod
    def block_card(self, *, card_ref: str, reason: str, by, channel: str) -> CardInfo: ...

    @abc.abstractmethod
    def request_replacement(self, *, card_ref: str, reason: str, by, channel: str) -> CardInfo:
        """Open a replacement of a lost or damaged card; returns the new (inactive) card."""

    @abc.abstractmethod
    def activate_card(self, *, card_ref: str, by, channel: str) -> CardInfo: ...

    @abc.abstractmethod
    def set_card_switches(
        self,
        *,
        card_ref: str,
        by,
        channel: str,
        cash_advance_enabled: bool | None = None,
        swipe_password_enabled: bool | None = None,
    ) -> CardInfo: ...

    # --- account settings and money ---
    @abc.abstractmethod
    def set_statement_delivery(
        self, *, account_ref: str, method: str, by, channel: str
    ) -> AccountInfo: ...

    @abc.abstractmethod
    def set_auto_repayment(
        self,
        *,
        account_ref: str,
        enabled: bool,
        mode: str = "",
        debit_account: str = "",
        by,
        channel: str,
    ) -> AccountInfo: ...

    @abc.abstractmethod
    def cash_advance(
        self,
        *,
        card_ref: str,
        amount: Decimal,
        fee: Decimal,
        idempotency_key: str,
        by,
        channel: str,
    ) -> CashAdvanceResult: ...


def get_adapter() -> CoreBankingAdapter:
    return _adapter(
        getattr(settings, "KEFU_CORE_BANKING_ADAPTER", "kefu.customers.adapter.LocalCoreBanking")
    )


@lru_cache(maxsize=4)
def _adapter(path: str) -> CoreBankingAdapter:
    return import_string(path)()


# --- the built-in adapter ----------------------------------------------------------------


def _card_info(card) -> CardInfo:
    return CardInfo(
        ref=str(card.pk),
        account_ref=str(card.account_id),
        holder_customer_id=card.holder_id,
        holder_name=card.holder.name,
        role=card.role,
        status=card.status,
        product=card.product,
        first6=card.first6,
        last4=card.last4,
        expiry=card.expiry,
        has_query_password=bool(card.query_password_hash),
        has_transaction_password=bool(card.transaction_password_hash),
        query_password_locked_on=card.query_password_locked_on,
        cash_advance_enabled=card.cash_advance_enabled,
        swipe_password_enabled=card.swipe_password_enabled,
    )


def _account_info(account) -> AccountInfo:
    debit = account.auto_repay_account or ""
    return AccountInfo(
        ref=str(account.pk),
        customer_id=account.customer_id,
        status=account.status,
        statement_day=account.statement_day,
        due_day=account.due_day,
        statement_delivery=account.statement_delivery,
        auto_repay_enabled=account.auto_repay_enabled,
        auto_repay_mode=account.auto_repay_mode,
        auto_repay_account_last4=debit[-4:],
    )


def _txn_info(t) -> TransactionInfo:
    return TransactionInfo(
        transaction_date=t.transaction_date,
        posting_date=t.posting_date,
        description=t.description,
        merchant=t.merchant,
        currency=t.currency,
        amount=t.amount,
        kind=t.kind,
        card_last4=t.card.last4 if t.card_id else "",
    )


def _ref(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound(_("Unknown reference %(ref)s.") % {"ref": value}) from None


class LocalCoreBanking(CoreBankingAdapter):
    """The built-in adapter on Kefu's own tables (demo, tests, small institutions)."""

    # --- reads ---
    def _card(self, card_ref: str, *, lock: bool = False):
        from kefu.customers.models import Card

        qs = Card.objects.select_related("holder", "account")
        if lock:
            qs = qs.select_for_update()
        card = qs.filter(pk=_ref(card_ref)).first()
        if card is None:
            raise NotFound(_("No such card."))
        return card

    def _account(self, account_ref: str, *, lock: bool = False):
        from kefu.customers.models import CardAccount

        qs = CardAccount.objects.all()
        if lock:
            qs = qs.select_for_update()
        account = qs.filter(pk=_ref(account_ref)).first()
        if account is None:
            raise NotFound(_("No such card account."))
        return account

    def find_card(self, *, number: str) -> CardInfo | None:
        from kefu.customers.models import Card

        card = (
            Card.objects.select_related("holder")
            .filter(number_hash=lookup_hash("card", number))
            .first()
        )
        return _card_info(card) if card else None

    def get_card(self, *, card_ref: str) -> CardInfo:
        return _card_info(self._card(card_ref))

    def cards_of_customer(self, *, customer_id: int) -> list[CardInfo]:
        from kefu.customers.models import Card

        cards = Card.objects.select_related("holder").filter(holder_id=customer_id).order_by("id")
        return [_card_info(c) for c in cards]

    def get_account(self, *, account_ref: str) -> AccountInfo:
        return _account_info(self._account(account_ref))

    def limits(self, *, account_ref: str) -> list[Limits]:
        a = self._account(account_ref)
        return [
            Limits(
                "CNY",
                a.credit_limit_cny,
                a.available_credit_cny,
                a.cash_limit_cny,
                a.available_cash_cny,
            ),
            Limits(
                "USD",
                a.credit_limit_usd,
                a.available_credit_usd,
                a.cash_limit_usd,
                a.available_cash_usd,
            ),
        ]

    def _statement_info(self, s, lines: bool) -> StatementInfo:
        return StatementInfo(
            ref=str(s.pk),
            period=s.period,
            currency=s.currency,
            statement_date=s.statement_date,
            due_date=s.due_date,
            amount_due=s.amount_due,
            minimum_payment=s.minimum_payment,
            paid_amount=s.paid_amount,
            lines=[
                _txn_info(t)
                for t in s.transactions.select_related("card").order_by("transaction_date", "id")
            ]
            if lines
            else [],
        )

    def statements(
        self, *, account_ref: str, months: int = 12, currency: str = "CNY"
    ) -> list[StatementInfo]:
        from kefu.customers.models import Statement

        qs = Statement.objects.filter(account_id=_ref(account_ref), currency=currency).order_by(
            "-statement_date"
        )[:months]
        return [self._statement_info(s, lines=False) for s in qs]

    def statement(
        self, *, account_ref: str, period: str, currency: str = "CNY", with_lines: bool = True
    ) -> StatementInfo:
        from kefu.customers.models import Statement

        s = Statement.objects.filter(
            account_id=_ref(account_ref), currency=currency, period=period
        ).first()
        if s is None:
            raise NotFound(_("No statement for %(period)s.") % {"period": period})
        return self._statement_info(s, lines=with_lines)

    def unbilled(self, *, account_ref: str, currency: str = "CNY") -> list[TransactionInfo]:
        from kefu.customers.models import Transaction

        qs = (
            Transaction.objects.select_related("card")
            .filter(account_id=_ref(account_ref), statement__isnull=True, currency=currency)
            .order_by("transaction_date", "id")
        )
        return [_txn_info(t) for t in qs]

    def applications_by_applicant(self, *, id_number: str) -> list[ApplicationInfo]:
        from kefu.customers.models import CardApplication

        rows = CardApplication.objects.filter(
            applicant_id_hash=lookup_hash("document", id_number)
        ).order_by("-submitted_on", "-id")
        return [
            ApplicationInfo(
                ref=str(a.pk),
                product=a.product,
                status=a.status,
                submitted_on=a.submitted_on,
                updated_on=a.updated_on,
                note=a.note,
            )
            for a in rows
        ]

    # --- passwords ---
    def verify_query_password(self, *, card_ref: str, password: str) -> bool:
        return self._verify_password(card_ref, "query_password_hash", "query", password)

    def verify_transaction_password(self, *, card_ref: str, password: str) -> bool:
        return self._verify_password(card_ref, "transaction_password_hash", "transaction", password)

    def _verify_password(self, card_ref: str, field: str, kind: str, password: str) -> bool:
        return self._password_ok(self._card(card_ref), field, kind, password)

    def _password_ok(self, card, field: str, kind: str, password: str) -> bool:
        stored = getattr(card, field)
        if not verify_secret(stored, password):
            return False
        if secret_needs_rehash(stored):
            # Made with older hash parameters: store it again with the current ones, only
            # if nobody changed it meanwhile.
            from kefu.customers.models import Card

            new_hash = hash_secret(password)
            with transaction.atomic():
                changed = Card.objects.filter(pk=card.pk, **{field: stored}).update(
                    **{field: new_hash}
                )
                if changed:
                    audit_record(
                        actor=None,
                        action=f"card.{kind}_password.rehashed",
                        obj=card,
                        data={"reason": "hash parameters changed"},
                    )
        return True

    @transaction.atomic
    def set_query_password(self, *, card_ref: str, password: str, by, channel: str) -> None:
        card = self._card(card_ref, lock=True)
        had = bool(card.query_password_hash)
        card.query_password_hash = hash_secret(password)
        card.query_password_failures = 0
        card.query_password_locked_on = None
        card.save(
            update_fields=[
                "query_password_hash",
                "query_password_failures",
                "query_password_locked_on",
            ]
        )
        audit_record(
            actor=by,
            action="card.query_password.changed" if had else "card.query_password.set",
            obj=card,
            data={"channel": channel},
        )

    @transaction.atomic
    def set_transaction_password(self, *, card_ref: str, password: str, by, channel: str) -> None:
        card = self._card(card_ref, lock=True)
        had = bool(card.transaction_password_hash)
        card.transaction_password_hash = hash_secret(password)
        card.save(update_fields=["transaction_password_hash"])
        audit_record(
            actor=by,
            action="card.transaction_password.changed" if had else "card.transaction_password.set",
            obj=card,
            data={"channel": channel},
        )

    @transaction.atomic
    def record_query_password_failure(
        self, *, card_ref: str, max_failures: int, today: dt.date, by, channel: str
    ) -> int:
        """Count a wrong query password; lock for ``today`` at ``max_failures``.

        Returns the failures counted today (a lock from an earlier day is forgotten).
        """
        card = self._card(card_ref, lock=True)
        if card.query_password_locked_on and card.query_password_locked_on < today:
            card.query_password_locked_on = None
            card.query_password_failures = 0
        card.query_password_failures += 1
        fields = ["query_password_failures", "query_password_locked_on"]
        if card.query_password_failures >= max_failures and card.query_password_locked_on is None:
            card.query_password_locked_on = today
            audit_record(
                actor=by,
                action="card.query_password.locked",
                obj=card,
                data={"channel": channel, "failures": card.query_password_failures},
            )
        card.save(update_fields=fields)
        return card.query_password_failures

    def check_query_password(
        self, *, card_ref: str, password: str, max_failures: int, today: dt.date, by, channel: str
    ) -> PasswordCheck:
        # The card is read once for the lock, the hash and what the caller hears; a right
        # password writes only when there were wrong tries to clear.
        from kefu.customers.models import Card

        card = self._card(card_ref)
        info = _card_info(card)
        if card.query_password_locked_on == today:
            return PasswordCheck(info, "locked", card.query_password_failures)
        if self._password_ok(card, "query_password_hash", "query", password):
            if card.query_password_failures:
                Card.objects.filter(pk=card.pk).update(query_password_failures=0)
            return PasswordCheck(info, "ok")
        failures = self.record_query_password_failure(
            card_ref=card_ref, max_failures=max_failures, today=today, by=by, channel=channel
        )
        return PasswordCheck(info, "locked_now" if failures >= max_failures else "wrong", failures)

    def reset_query_password_failures(self, *, card_ref: str) -> None:
        from kefu.customers.models import Card

        # One statement, after every good password on the hotline: most cards have nothing
        # to clear, and reading the card (locked, with its holder and account) cost a query.
        Card.objects.filter(pk=_ref(card_ref), query_password_failures__gt=0).update(
            query_password_failures=0
        )

    # --- card changes ---
    @transaction.atomic
    def block_card(self, *, card_ref: str, reason: str, by, channel: str) -> CardInfo:
        from kefu.customers.models import Card

        card = self._card(card_ref, lock=True)
        if card.status in (Card.Status.CLOSED,):
            raise CoreBankingError(_("This card is closed."))
        old = {"status": card.status}
        if card.status != Card.Status.LOST:
            card.status = Card.Status.LOST
            card.blocked_at = timezone.now()
            card.save(update_fields=["status", "blocked_at"])
            audit_record(
                actor=by,
                action="card.blocked",
                obj=card,
                changes=model_changes(card, ["status"], old),
                data={"reason": reason, "channel": channel},
            )
        return _card_info(card)

    @transaction.atomic
    def request_replacement(self, *, card_ref: str, reason: str, by, channel: str) -> CardInfo:
        """Issue the replacement as a new card with a new number, not yet activated: same
        account, holder, role and product, valid five years (as 刘洋's card in the demo)."""
        import secrets

        from kefu.core.validators import luhn_check_digit
        from kefu.customers.models import Card

        old = self._card(card_ref, lock=True)
        if old.status not in (Card.Status.LOST, Card.Status.FROZEN, Card.Status.ACTIVE):
            raise CoreBankingError(_("Only an issued card that is not closed can be replaced."))
        length = len(old.number)
        for _attempt in range(20):
            middle = "".join(
                secrets.choice("0123456789") for _i in range(length - len(old.first6) - 1)
            )
            partial = old.first6 + middle
            number = partial + luhn_check_digit(partial)
            if not Card.objects.filter(number_hash=lookup_hash("card", number)).exists():
                break
        else:  # pragma: no cover - 10^9 numbers per BIN
            raise CoreBankingError(_("No free card number could be found."))
        today = timezone.localdate()
        end_year, end_month = today.year + 5, today.month
        expiry = dt.date(end_year + end_month // 12, end_month % 12 + 1, 1) - dt.timedelta(days=1)
        new = Card(
            account=old.account,
            holder=old.holder,
            role=old.role,
            product=old.product,
            status=Card.Status.INACTIVE,
            expiry=expiry,
            issued_on=today,
            cash_advance_enabled=old.cash_advance_enabled,
            swipe_password_enabled=old.swipe_password_enabled,
        )
        new.set_number(number)
        new.save()
        audit_record(
            actor=by,
            action="card.replacement.requested",
            obj=old,
            data={
                "reason": reason,
                "channel": channel,
                "replacement_card_id": new.pk,
                "replacement_last4": new.last4,
            },
        )
        return _card_info(new)

    @transaction.atomic
    def activate_card(self, *, card_ref: str, by, channel: str) -> CardInfo:
        from kefu.customers.models import Card

        card = self._card(card_ref, lock=True)
        if card.status != Card.Status.INACTIVE:
            raise Conflict(_("Only a card that is not yet activated can be activated."))
        card.status = Card.Status.ACTIVE
        card.activated_at = timezone.now()
        card.save(update_fields=["status", "activated_at"])
        audit_record(
            actor=by,
            action="card.activated",
            obj=card,
            changes={"status": (Card.Status.INACTIVE, card.status)},
            data={"channel": channel},
        )
        return _card_info(card)

    @transaction.atomic
    def set_card_switches(
        self,
        *,
        card_ref: str,
        by,
        channel: str,
        cash_advance_enabled: bool | None = None,
        swipe_password_enabled: bool | None = None,
    ) -> CardInfo:
        card = self._card(card_ref, lock=True)
        fields = ["cash_advance_enabled", "swipe_password_enabled"]
        old = {f: getattr(card, f) for f in fields}
        if cash_advance_enabled is not None:
            card.cash_advance_enabled = cash_advance_enabled
        if swipe_password_enabled is not None:
            card.swipe_password_enabled = swipe_password_enabled
        changes = model_changes(card, fields, old)
        if changes:
            card.save(update_fields=list(changes))
            audit_record(
                actor=by,
                action="card.switches.changed",
                obj=card,
                changes=changes,
                data={"channel": channel},
            )
        return _card_info(card)

    # --- account settings ---
    @transaction.atomic
    def set_statement_delivery(
        self, *, account_ref: str, method: str, by, channel: str
    ) -> AccountInfo:
        from kefu.customers.models import CardAccount

        if method not in CardAccount.Delivery.values:
            raise ValidationFailed(
                _("Unknown statement delivery method."),
                errors={"method": [_("Choose email, paper or both.")]},
            )
        account = self._account(account_ref, lock=True)
        old = {"statement_delivery": account.statement_delivery}
        account.statement_delivery = method
        changes = model_changes(account, ["statement_delivery"], old)
        if changes:
            account.save(update_fields=["statement_delivery"])
            audit_record(
                actor=by,
                action="account.statement_delivery.changed",
                obj=account,
                changes=changes,
                data={"channel": channel},
            )
        return _account_info(account)

    @transaction.atomic
    def set_auto_repayment(
        self,
        *,
        account_ref: str,
        enabled: bool,
        mode: str = "",
        debit_account: str = "",
        by,
        channel: str,
    ) -> AccountInfo:
        from kefu.customers.models import CardAccount

        account = self._account(account_ref, lock=True)
        fields = ["auto_repay_enabled", "auto_repay_mode", "auto_repay_account"]
        old = {f: getattr(account, f) for f in fields}
        if enabled:
            if mode not in CardAccount.AutoRepayMode.values:
                raise ValidationFailed(
                    _("Choose full amount or minimum payment."),
                    errors={"mode": [_("Choose full or minimum.")]},
                )
            debit = "".join(debit_account.split()) or (account.auto_repay_account or "")
            if not (debit.isdigit() and 12 <= len(debit) <= 19):
                raise ValidationFailed(
                    _("A debit account number has 12 to 19 digits."),
                    errors={"debit_account": [_("A debit account number has 12 to 19 digits.")]},
                )
            account.auto_repay_enabled = True
            account.auto_repay_mode = mode
            account.auto_repay_account = debit
        else:
            account.auto_repay_enabled = False
            account.auto_repay_mode = ""
        changes = model_changes(account, fields, old)
        if changes:
            account.full_clean(exclude=["customer"])
            account.save(update_fields=list(changes))
            action = (
                "account.auto_repay.cancelled"
                if not enabled
                else "account.auto_repay.applied"
                if not old["auto_repay_enabled"]
                else "account.auto_repay.modified"
            )
            audit_record(
                actor=by, action=action, obj=account, changes=changes, data={"channel": channel}
            )
        return _account_info(account)

    @transaction.atomic
    def cash_advance(
        self,
        *,
        card_ref: str,
        amount: Decimal,
        fee: Decimal,
        idempotency_key: str,
        by,
        channel: str,
    ) -> CashAdvanceResult:
        """Post a cash advance and its fee, once per idempotency key.

        Locks the account row: two concurrent advances cannot both spend the same cash.
        """
        from kefu.customers.models import Card, Transaction

        ext_id = f"CA-{idempotency_key}"
        card = self._card(card_ref)
        account = self._account(str(card.account_id), lock=True)
        existing = Transaction.objects.filter(external_id=ext_id).first()
        if existing is not None:
            return CashAdvanceResult(
                ext_id, existing.amount, fee, "CNY", account.available_cash_cny, duplicate=True
            )
        amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
        fee = fee.quantize(CENT, rounding=ROUND_HALF_UP)
        if card.status != Card.Status.ACTIVE or not card.cash_advance_enabled:
            raise CoreBankingError(_("Cash advance is not available on this card."))
        if amount <= 0:
            raise ValidationFailed(
                _("The amount must be positive."),
                errors={"amount": [_("The amount must be positive.")]},
            )
        if amount + fee > account.available_cash_cny or amount + fee > account.available_credit_cny:
            raise CoreBankingError(_("The amount and fee exceed the available cash."))
        today = timezone.localdate()
        Transaction.objects.create(
            external_id=ext_id,
            account=account,
            card=card,
            kind=Transaction.Kind.CASH,
            transaction_date=today,
            posting_date=today,
            description=_("Phone cash advance"),
            currency="CNY",
            amount=amount,
        )
        if fee:
            Transaction.objects.create(
                external_id=f"{ext_id}-FEE",
                account=account,
                card=card,
                kind=Transaction.Kind.FEE,
                transaction_date=today,
                posting_date=today,
                description=_("Cash advance fee"),
                currency="CNY",
                amount=fee,
            )
        old = {
            "available_cash_cny": account.available_cash_cny,
            "available_credit_cny": account.available_credit_cny,
        }
        account.available_cash_cny -= amount + fee
        account.available_credit_cny -= amount + fee
        account.save(update_fields=["available_cash_cny", "available_credit_cny"])
        audit_record(
            actor=by,
            action="account.cash_advance.posted",
            obj=account,
            changes=model_changes(account, list(old), old),
            data={
                "channel": channel,
                "amount": str(amount),
                "fee": str(fee),
                "card_last4": card.last4,
            },
        )
        return CashAdvanceResult(
            ext_id, amount, fee, "CNY", account.available_cash_cny, duplicate=False
        )
