"""Customer use cases: revealing full numbers (audited) and recording 360 views."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.core.errors import NotFound, ValidationFailed
from kefu.core.permissions import check_perms
from kefu.core.roles import REVEAL_PII
from kefu.core.services import audit_record
from kefu.customers.models import Card, Customer

REVEALABLE = ("mobile", "document", "card", "phone")


@transaction.atomic
def customer_reveal(*, customer: Customer, field: str, by, item_id: int | None = None) -> str:
    """The full number behind a masked one, for a user allowed to see it (SEC-3/SEC-4).

    ``field`` is "mobile", "document" (with ``item_id`` of the document, default the
    primary), "phone" (``item_id`` required) or "card" (``item_id`` of a card held by or on
    an account of the customer). Writes a ``customer.pii.revealed`` audit event.
    """
    check_perms(by, REVEAL_PII)
    if field not in REVEALABLE:
        raise ValidationFailed(
            _("Unknown field."), errors={"field": [_("Choose mobile, document, phone or card.")]}
        )
    if field == "mobile":
        value, label = customer.mobile, "mobile"
    elif field == "document":
        docs = customer.documents.all()
        doc = docs.filter(pk=item_id).first() if item_id else docs.order_by("-is_primary").first()
        if doc is None:
            raise NotFound(_("No such identity document."))
        value, label = doc.number, f"document:{doc.pk}"
    elif field == "phone":
        phone = customer.phones.filter(pk=item_id).first() if item_id else None
        if phone is None:
            raise NotFound(_("No such phone number."))
        value, label = phone.number, f"phone:{phone.pk}"
    else:
        card = (
            Card.objects.filter(pk=item_id).filter(holder=customer).first() if item_id else None
        ) or (
            Card.objects.filter(pk=item_id, account__customer=customer).first() if item_id else None
        )
        if card is None:
            raise NotFound(_("No such card."))
        value, label = card.number, f"card:{card.pk}"
    audit_record(actor=by, action="customer.pii.revealed", obj=customer, data={"field": label})
    return value


def customer_view_record(*, customer: Customer, by, channel: str = "web") -> None:
    """Every opening of a customer's 360 data is logged (SEC-4)."""
    audit_record(actor=by, action="customer.viewed", obj=customer, data={"channel": channel})
