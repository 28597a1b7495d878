"""Customers and their products (CUS-1 … CUS-5).

C2 numbers (identity documents, card numbers, phones, debit accounts) are kept in
EncryptedTextField columns with a keyed-hash column beside them for exact look-up; for cards
the first 6 and last 4 digits are also kept in clear, since the masked form shows them anyway.
Card passwords are kept only as argon2 hashes (core.crypto.hash_secret).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.core.crypto import EncryptedTextField, lookup_hash
from kefu.core.masking import mask_account, mask_card, mask_id_number, mask_mobile


class Segment(models.TextChoices):
    STANDARD = "standard", _("Standard")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")
    PRIVATE = "private", _("Private banking")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat")
    APP = "app", _("Mobile app")


class Currency(models.TextChoices):
    CNY = "CNY", _("Renminbi")
    USD = "USD", _("US dollar")


class AccountManager(models.Model):
    """An account manager (客户经理) of the bank or brokerage; not necessarily a Kefu user."""

    employee_no = models.CharField(_("employee number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    branch = models.CharField(_("branch"), max_length=100, blank=True)
    phone = models.CharField(_("office phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("account manager")
        verbose_name_plural = _("account managers")

    def __str__(self) -> str:
        return f"{self.name}（{self.employee_no}）"


class CustomerQuerySet(models.QuerySet):
    def with_mobile(self, mobile: str):
        return self.filter(mobile_hash=lookup_hash("mobile", mobile))


class Customer(models.Model):
    """CUS-1: a cardholder, applicant or investor."""

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")
        UNKNOWN = "U", _("Unknown")

    class RiskLevel(models.TextChoices):
        C1 = "C1", _("C1 conservative")
        C2 = "C2", _("C2 cautious")
        C3 = "C3", _("C3 balanced")
        C4 = "C4", _("C4 growth")
        C5 = "C5", _("C5 aggressive")

    external_id = models.CharField(_("core system id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=64)
    gender = models.CharField(
        _("gender"), max_length=1, choices=Gender.choices, default=Gender.UNKNOWN
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    mobile = EncryptedTextField(_("mobile"))
    mobile_hash = models.CharField(max_length=64, db_index=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    segment = models.CharField(
        _("segment"), max_length=16, choices=Segment.choices, default=Segment.STANDARD
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=16, choices=Channel.choices, default=Channel.PHONE
    )
    risk_level = models.CharField(
        _("risk level"), max_length=2, choices=RiskLevel.choices, blank=True
    )
    account_manager = models.ForeignKey(
        AccountManager,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("account manager"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [
            ("reveal_customer_pii", _("Can reveal full ID, card and phone numbers")),
            ("import_core_data", _("Can import core-banking data")),
        ]

    def __str__(self) -> str:
        return self.name

    def set_mobile(self, mobile: str) -> None:
        self.mobile = mobile
        self.mobile_hash = lookup_hash("mobile", mobile)

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile)


class CustomerPhone(models.Model):
    """Other phone numbers; ``registered`` ones identify the caller on the hotline (IVR-8)."""

    class Kind(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        HOME = "home", pgettext_lazy("phone kind", "Home")
        WORK = "work", pgettext_lazy("phone kind", "Work")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    number = EncryptedTextField(_("number"))
    number_hash = models.CharField(max_length=64, db_index=True)
    registered = models.BooleanField(_("registered for the hotline"), default=False)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "number_hash"], name="customer_phone_unique"
            ),
        ]

    def __str__(self) -> str:
        return mask_mobile(self.number)

    def set_number(self, number: str) -> None:
        self.number = number
        self.number_hash = lookup_hash("mobile", number)


class IdentityDocument(models.Model):
    class Type(models.TextChoices):
        RESIDENT_ID = "resident_id", _("Resident identity card")
        PASSPORT = "passport", _("Passport")
        MILITARY = "military", _("Military officer card")
        HK_MACAU = "hk_macau", _("Mainland travel permit for Hong Kong and Macau residents")
        TAIWAN = "taiwan", _("Mainland travel permit for Taiwan residents")
        FOREIGN_PR = "foreign_pr", _("Foreign permanent resident ID card")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("document type"), max_length=16, choices=Type.choices)
    number = EncryptedTextField(_("document number"))
    number_hash = models.CharField(max_length=64)
    issuing_country = models.CharField(_("issuing country"), max_length=3, default="CHN")
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_primary = models.BooleanField(_("primary document"), default=True)

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        constraints = [
            # one person per document number (look-up by ID number must be exact)
            models.UniqueConstraint(fields=["number_hash"], name="document_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.masked_number}"

    def set_number(self, number: str) -> None:
        self.number = number
        self.number_hash = lookup_hash("document", number)

    @property
    def masked_number(self) -> str:
        return mask_id_number(self.number)


class CardAccount(models.Model):
    """CUS-2: a credit-card account; its limits are shared by the primary and supplementary
    cards on it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        FROZEN = "frozen", _("Frozen")
        CLOSED = "closed", _("Closed")

    class Delivery(models.TextChoices):
        EMAIL = "email", _("E-statement")
        PAPER = "paper", _("Paper statement")
        BOTH = "both", _("E-statement and paper")

    class AutoRepayMode(models.TextChoices):
        FULL = "full", _("Full amount")
        MINIMUM = "minimum", _("Minimum payment")

    external_id = models.CharField(_("core system id"), max_length=64, unique=True)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="card_accounts",
        verbose_name=_("primary cardholder"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    credit_limit_cny = models.DecimalField(_("credit limit (CNY)"), max_digits=14, decimal_places=2)
    available_credit_cny = models.DecimalField(
        _("available credit (CNY)"), max_digits=14, decimal_places=2
    )
    cash_limit_cny = models.DecimalField(
        _("cash advance limit (CNY)"), max_digits=14, decimal_places=2
    )
    available_cash_cny = models.DecimalField(
        _("available cash (CNY)"), max_digits=14, decimal_places=2
    )
    credit_limit_usd = models.DecimalField(
        _("credit limit (USD)"), max_digits=14, decimal_places=2, default=0
    )
    available_credit_usd = models.DecimalField(
        _("available credit (USD)"), max_digits=14, decimal_places=2, default=0
    )
    cash_limit_usd = models.DecimalField(
        _("cash advance limit (USD)"), max_digits=14, decimal_places=2, default=0
    )
    available_cash_usd = models.DecimalField(
        _("available cash (USD)"), max_digits=14, decimal_places=2, default=0
    )
    statement_day = models.PositiveSmallIntegerField(_("statement day"))
    due_day = models.PositiveSmallIntegerField(_("payment due day"))
    statement_delivery = models.CharField(
        _("statement delivery"), max_length=8, choices=Delivery.choices, default=Delivery.EMAIL
    )
    auto_repay_enabled = models.BooleanField(_("auto-repayment"), default=False)
    auto_repay_mode = models.CharField(
        _("auto-repayment amount"), max_length=8, choices=AutoRepayMode.choices, blank=True
    )
    auto_repay_account = EncryptedTextField(_("auto-repayment debit account"), blank=True)
    opened_on = models.DateField(_("opened on"))

    class Meta:
        verbose_name = _("card account")
        verbose_name_plural = _("card accounts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(statement_day__gte=1) & models.Q(statement_day__lte=28),
                name="card_account_statement_day_range",
            ),
            models.CheckConstraint(
                condition=models.Q(due_day__gte=1) & models.Q(due_day__lte=28),
                name="card_account_due_day_range",
            ),
            models.CheckConstraint(
                condition=models.Q(available_cash_cny__lte=models.F("cash_limit_cny")),
                name="card_account_cash_within_limit",
            ),
            models.CheckConstraint(
                condition=models.Q(credit_limit_cny__gte=0) & models.Q(cash_limit_cny__gte=0),
                name="card_account_limits_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(auto_repay_enabled=False) | ~models.Q(auto_repay_mode=""),
                name="card_account_auto_repay_mode_set",
            ),
        ]

    def __str__(self) -> str:
        return self.external_id

    @property
    def auto_repay_account_masked(self) -> str:
        return mask_account(self.auto_repay_account)


class CardQuerySet(models.QuerySet):
    def with_number(self, number: str):
        return self.filter(number_hash=lookup_hash("card", number))


class Card(models.Model):
    class Role(models.TextChoices):
        PRIMARY = "primary", _("Primary card")
        SUPPLEMENTARY = "supplementary", _("Supplementary card")

    class Status(models.TextChoices):
        INACTIVE = "inactive", _("Not activated")
        ACTIVE = "active", _("Active")
        LOST = "lost", _("Reported lost")
        FROZEN = "frozen", _("Frozen")
        CLOSED = "closed", _("Closed")

    account = models.ForeignKey(CardAccount, on_delete=models.PROTECT, related_name="cards")
    holder = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="cards", verbose_name=_("cardholder")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    product = models.CharField(_("product"), max_length=64)
    number = EncryptedTextField(_("card number"))
    number_hash = models.CharField(max_length=64)
    first6 = models.CharField(max_length=6)
    last4 = models.CharField(_("last 4 digits"), max_length=4)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.INACTIVE
    )
    expiry = models.DateField(_("valid thru"), help_text=_("Last day of the expiry month."))
    issued_on = models.DateField(_("issued on"))
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    blocked_at = models.DateTimeField(_("blocked at"), null=True, blank=True)
    query_password_hash = models.CharField(max_length=200, blank=True)
    transaction_password_hash = models.CharField(max_length=200, blank=True)
    query_password_failures = models.PositiveSmallIntegerField(default=0)
    query_password_locked_on = models.DateField(
        _("query password locked on"),
        null=True,
        blank=True,
        help_text=_("The query password is locked for the rest of this day."),
    )
    cash_advance_enabled = models.BooleanField(_("cash advance"), default=True)
    swipe_password_enabled = models.BooleanField(_("password for card payments"), default=False)

    objects = CardQuerySet.as_manager()

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        constraints = [
            models.UniqueConstraint(fields=["number_hash"], name="card_number_unique"),
        ]
        indexes = [
            # customer 360: a holder's cards
            models.Index(fields=["holder", "status"], name="card_holder_status_idx"),
        ]

    def __str__(self) -> str:
        return self.masked_number

    def set_number(self, number: str) -> None:
        self.number = number
        self.number_hash = lookup_hash("card", number)
        self.first6 = number[:6]
        self.last4 = number[-4:]

    @property
    def masked_number(self) -> str:
        return mask_card(self.number)

    @property
    def has_query_password(self) -> bool:
        return bool(self.query_password_hash)


class Statement(models.Model):
    """CUS-3: one monthly statement of an account in one currency."""

    account = models.ForeignKey(CardAccount, on_delete=models.CASCADE, related_name="statements")
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    period = models.CharField(_("period"), max_length=7, help_text="YYYY-MM")
    statement_date = models.DateField(_("statement date"))
    due_date = models.DateField(_("due date"))
    previous_balance = models.DecimalField(_("previous balance"), max_digits=14, decimal_places=2)
    payments = models.DecimalField(_("payments and credits"), max_digits=14, decimal_places=2)
    new_charges = models.DecimalField(_("new charges"), max_digits=14, decimal_places=2)
    amount_due = models.DecimalField(_("amount due"), max_digits=14, decimal_places=2)
    minimum_payment = models.DecimalField(_("minimum payment"), max_digits=14, decimal_places=2)
    paid_amount = models.DecimalField(_("paid so far"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["-statement_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "currency", "period"], name="statement_unique_period"
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_payment__lte=models.F("amount_due"))
                | models.Q(amount_due__lte=0),
                name="statement_minimum_within_due",
            ),
        ]
        indexes = [
            # customer 360 and IVR bill inquiry: an account's latest statements
            models.Index(fields=["account", "-statement_date"], name="statement_account_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.period} {self.currency}"


class Transaction(models.Model):
    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("Purchase")
        CASH = "cash", _("Cash advance")
        PAYMENT = "payment", _("Payment")
        REFUND = "refund", _("Refund")
        FEE = "fee", _("Fee")
        INTEREST = "interest", _("Interest")
        INSTALLMENT = "installment", _("Installment")

    external_id = models.CharField(_("core system id"), max_length=64, unique=True)
    account = models.ForeignKey(CardAccount, on_delete=models.CASCADE, related_name="transactions")
    card = models.ForeignKey(
        Card, on_delete=models.SET_NULL, null=True, blank=True, related_name="transactions"
    )
    statement = models.ForeignKey(
        Statement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transactions",
        help_text=_("Empty while the transaction is unbilled."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    transaction_date = models.DateField(_("transaction date"))
    posting_date = models.DateField(_("posting date"))
    description = models.CharField(_("description"), max_length=200)
    merchant = models.CharField(_("merchant"), max_length=100, blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Positive for charges, negative for payments and refunds."),
    )

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        ordering = ["-transaction_date", "-id"]
        indexes = [
            # statement lines, and unbilled transactions (statement IS NULL) of an account
            models.Index(
                fields=["account", "statement", "-transaction_date"],
                name="txn_account_statement_idx",
            ),
            # customer 360: recent transactions of an account
            models.Index(fields=["account", "-transaction_date"], name="txn_account_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_date} {self.description} {self.amount} {self.currency}"


class Installment(models.Model):
    """A bill installment plan (账单分期)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Repaying")
        PAID_OFF = "paid_off", _("Paid off")
        CANCELLED = "cancelled", _("Cancelled")

    account = models.ForeignKey(CardAccount, on_delete=models.CASCADE, related_name="installments")
    statement = models.ForeignKey(
        Statement, on_delete=models.SET_NULL, null=True, blank=True, related_name="installments"
    )
    principal = models.DecimalField(_("principal"), max_digits=14, decimal_places=2)
    periods = models.PositiveSmallIntegerField(_("periods"))
    periods_paid = models.PositiveSmallIntegerField(_("periods paid"), default=0)
    fee_per_period = models.DecimalField(_("fee per period"), max_digits=14, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    created_on = models.DateField(_("created on"))

    class Meta:
        verbose_name = _("installment plan")
        verbose_name_plural = _("installment plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(periods_paid__lte=models.F("periods")),
                name="installment_paid_within_periods",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.principal} / {self.periods}"


class CardApplication(models.Model):
    """CUS-4: a card application, looked up by the applicant's ID number (IVR 3# → 2)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Received")
        REVIEWING = "reviewing", _("Under review")
        APPROVED = "approved", _("Approved, card being made")
        MAILED = "mailed", _("Card mailed")
        REJECTED = "rejected", _("Not approved")

    external_id = models.CharField(_("core system id"), max_length=64, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="applications"
    )
    applicant_name = models.CharField(_("applicant"), max_length=64)
    applicant_id_number = EncryptedTextField(_("applicant ID number"))
    applicant_id_hash = models.CharField(max_length=64, db_index=True)
    product = models.CharField(_("product"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    submitted_on = models.DateField(_("submitted on"))
    updated_on = models.DateField(_("last progress on"))
    note = models.CharField(_("progress note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("card application")
        verbose_name_plural = _("card applications")
        ordering = ["-submitted_on"]

    def __str__(self) -> str:
        return f"{self.applicant_name} {self.product}"

    def set_applicant_id(self, number: str) -> None:
        self.applicant_id_number = number
        self.applicant_id_hash = lookup_hash("document", number)


class BrokerageAccount(models.Model):
    """CUS-5: a securities or fund account of a brokerage customer."""

    class Kind(models.TextChoices):
        SECURITIES = "securities", _("Securities account")
        FUND = "fund", _("Fund account")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")
        CLOSED = "closed", _("Closed")
        TRANSFERRED = "transferred", _("Transferred away")

    external_id = models.CharField(_("core system id"), max_length=64, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="brokerage_accounts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    account_no = models.CharField(_("account number"), max_length=32)
    opened_on = models.DateField(_("opened on"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    account_manager = models.ForeignKey(
        AccountManager,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="brokerage_accounts",
    )
    branch = models.CharField(_("branch"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("brokerage account")
        verbose_name_plural = _("brokerage accounts")
        indexes = [
            # callbacks: new accounts opened in a period
            models.Index(fields=["opened_on"], name="brokerage_opened_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.masked_account_no}"

    @property
    def masked_account_no(self) -> str:
        return mask_account(self.account_no)


class Holding(models.Model):
    class ProductType(models.TextChoices):
        FUND = "fund", _("Fund")
        WEALTH = "wealth", _("Wealth product")
        STOCK = "stock", _("Stock")
        BOND = "bond", _("Bond")

    account = models.ForeignKey(BrokerageAccount, on_delete=models.CASCADE, related_name="holdings")
    product_code = models.CharField(_("product code"), max_length=16)
    product_name = models.CharField(_("product name"), max_length=100)
    product_type = models.CharField(_("product type"), max_length=8, choices=ProductType.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=2)
    market_value = models.DecimalField(_("market value (CNY)"), max_digits=18, decimal_places=2)
    as_of = models.DateField(_("as of"))

    class Meta:
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        constraints = [
            models.UniqueConstraint(fields=["account", "product_code"], name="holding_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.product_code} {self.product_name}"


class FundTransfer(models.Model):
    """Bank-securities transfers; large transfers out feed callbacks (CB-1)."""

    class Direction(models.TextChoices):
        IN = "in", _("Transfer in")
        OUT = "out", _("Transfer out")

    external_id = models.CharField(_("core system id"), max_length=64, unique=True)
    account = models.ForeignKey(
        BrokerageAccount, on_delete=models.CASCADE, related_name="transfers"
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=18, decimal_places=2)
    occurred_at = models.DateTimeField(_("time"))
    counterpart_bank = models.CharField(_("bank"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("fund transfer")
        verbose_name_plural = _("fund transfers")
        ordering = ["-occurred_at"]
        indexes = [
            # callbacks: large transfers out on a trading day
            models.Index(fields=["direction", "occurred_at"], name="transfer_direction_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.amount}"


class LoginRecord(models.Model):
    """Login IP addresses of a brokerage account (same-IP callbacks, CB-1)."""

    account = models.ForeignKey(BrokerageAccount, on_delete=models.CASCADE, related_name="logins")
    ip = models.GenericIPAddressField(_("IP address"))
    logged_in_at = models.DateTimeField(_("time"))
    channel = models.CharField(_("channel"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("login record")
        verbose_name_plural = _("login records")
        ordering = ["-logged_in_at"]
        indexes = [
            # same-IP operations: accounts seen on one IP
            models.Index(fields=["ip", "logged_in_at"], name="login_ip_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ip} {self.logged_in_at}"


class AmlFlag(models.Model):
    """A flag raised by the anti-money-laundering risk platform."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLEARED = "cleared", _("Cleared")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="aml_flags")
    code = models.CharField(_("rule code"), max_length=32)
    description = models.CharField(_("description"), max_length=200)
    raised_on = models.DateField(_("raised on"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )

    class Meta:
        verbose_name = _("AML risk flag")
        verbose_name_plural = _("AML risk flags")

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class CoreImport(models.Model):
    """NF-4: one background run of the core-banking import, with the progress its page shows.

    The file is kept under DATA_DIR/imports as ``stored_name``; the first errors are kept here
    for the page, all of them in the errors CSV beside the file.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Could not run")

    file_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(max_length=255)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    started_by = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    task_id = models.CharField(max_length=64, blank=True)
    lines_total = models.PositiveIntegerField(_("lines"), null=True, blank=True)
    lines_done = models.PositiveIntegerField(_("lines done"), default=0)
    created_count = models.PositiveIntegerField(_("customers created"), default=0)
    updated_count = models.PositiveIntegerField(_("customers updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("customers unchanged"), default=0)
    failed_count = models.PositiveIntegerField(_("lines failed"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("first errors"), default=list, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("core-banking import")
        verbose_name_plural = _("core-banking imports")
        ordering = ["-queued_at"]

    def __str__(self) -> str:
        return f"{self.file_name} {self.get_status_display()}"

    @property
    def percent_done(self) -> int:
        if not self.lines_total:
            return 100 if self.status == self.Status.FINISHED else 0
        return min(100, self.lines_done * 100 // self.lines_total)
