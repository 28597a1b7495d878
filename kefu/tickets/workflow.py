"""The ticket state machine: which action is allowed from which status, for which kind.

Complaints (SR-6): registered → assessed (severity, urgency) → assigned → in handling
(⇄ waiting for the customer, ⇄ outside appraisal) → result told → satisfaction callback →
closed → archived; reopened on dissatisfaction; a repeat merged; a review asked within the
REG-1 window. Inquiries, suggestions and others: answered on the spot, or made a case (SR-5)
that is handled, replied to and closed the same way.

Actions that leave the status as it is (``target`` None) still write an event.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from kefu.tickets.classification import Kind
from kefu.tickets.models import Status

WORK = "tickets.work_ticket"
HANDLE_COMPLAINT = "tickets.handle_complaint"

NOT_COMPLAINT = frozenset({Kind.INQUIRY, Kind.SUGGESTION, Kind.OTHER})
COMPLAINT = frozenset({Kind.COMPLAINT})
# Before the result is told: the ticket is still being worked on.
IN_WORK = frozenset(
    {
        Status.REGISTERED,
        Status.ASSESSED,
        Status.ASSIGNED,
        Status.IN_HANDLING,
        Status.WAITING_CUSTOMER,
        Status.APPRAISAL,
    }
)
AFTER_RESULT = frozenset({Status.RESOLVED, Status.SATISFACTION})
OPEN = IN_WORK | AFTER_RESULT


@dataclass(frozen=True)
class Transition:
    action: str
    label: object
    sources: frozenset[str]
    target: str | None = None
    kinds: frozenset[str] | None = None  # None: every kind
    perms: tuple[str, ...] = (WORK,)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("classify", _("Confirm type and category"), frozenset({Status.REGISTERED})),
        Transition(
            "answer",
            _("Answered on the spot"),
            frozenset({Status.REGISTERED}),
            Status.RESOLVED,
            NOT_COMPLAINT,
        ),
        Transition(
            "make_case",
            _("Make it a case"),
            frozenset({Status.REGISTERED}),
            Status.IN_HANDLING,
            NOT_COMPLAINT,
        ),
        Transition(
            "assess",
            _("Assess severity and urgency"),
            frozenset({Status.REGISTERED}),
            Status.ASSESSED,
            COMPLAINT,
            (WORK, HANDLE_COMPLAINT),
        ),
        Transition(
            "assign",
            _("Assign a responsible person"),
            frozenset({Status.ASSESSED, Status.ASSIGNED, Status.IN_HANDLING}),
            Status.ASSIGNED,
            COMPLAINT,
            (WORK, HANDLE_COMPLAINT),
        ),
        Transition(
            "start",
            _("Start handling"),
            frozenset({Status.ASSIGNED}),
            Status.IN_HANDLING,
            COMPLAINT,
        ),
        Transition(
            "wait_customer",
            _("Wait for the customer"),
            frozenset({Status.IN_HANDLING}),
            Status.WAITING_CUSTOMER,
        ),
        Transition(
            "resume",
            _("Resume handling"),
            frozenset({Status.WAITING_CUSTOMER, Status.APPRAISAL}),
            Status.IN_HANDLING,
        ),
        Transition(
            "start_appraisal",
            _("Outside appraisal begins"),
            frozenset({Status.IN_HANDLING}),
            Status.APPRAISAL,
            COMPLAINT,
            (WORK, HANDLE_COMPLAINT),
        ),
        Transition(
            "extend",
            _("Extend the time limit"),
            frozenset(
                {
                    Status.ASSESSED,
                    Status.ASSIGNED,
                    Status.IN_HANDLING,
                    Status.WAITING_CUSTOMER,
                    Status.APPRAISAL,
                }
            ),
            None,
            COMPLAINT,
            (WORK, HANDLE_COMPLAINT),
        ),
        Transition("log_progress", _("Log a progress contact"), IN_WORK),
        Transition(
            "resolve",
            _("Tell the customer the result"),
            frozenset({Status.IN_HANDLING}),
            Status.RESOLVED,
        ),
        Transition(
            "request_satisfaction",
            _("Ask for satisfaction"),
            frozenset({Status.RESOLVED}),
            Status.SATISFACTION,
        ),
        Transition(
            "record_satisfaction",
            _("Record satisfaction"),
            AFTER_RESULT,
            Status.CLOSED,  # or back to in handling when the customer is dissatisfied
        ),
        Transition("close", _("Close"), AFTER_RESULT, Status.CLOSED),
        Transition(
            "reopen",
            _("Reopen"),
            frozenset({Status.RESOLVED, Status.SATISFACTION, Status.CLOSED}),
            Status.IN_HANDLING,
        ),
        Transition(
            "archive",
            _("Archive"),
            frozenset({Status.CLOSED}),
            Status.ARCHIVED,
        ),
        Transition(
            "request_review",
            _("Customer asks for a review"),
            frozenset({Status.RESOLVED, Status.SATISFACTION, Status.CLOSED, Status.ARCHIVED}),
            Status.IN_HANDLING,
            COMPLAINT,
            (WORK, HANDLE_COMPLAINT),
        ),
        Transition(
            "merge",
            _("Merge into an earlier complaint"),
            frozenset({Status.REGISTERED, Status.ASSESSED}),
            Status.MERGED,
            COMPLAINT,
        ),
        Transition("escalate", _("Escalate"), OPEN),
        Transition("hand_over", _("Hand over"), OPEN),
        Transition("accept_handover", _("Accept the hand-over"), OPEN),
        Transition("decline_handover", _("Decline the hand-over"), OPEN),
        Transition("cancel_handover", _("Withdraw the hand-over"), OPEN),
        Transition("route", _("Route to a queue"), IN_WORK),
        Transition("forward", _("Forward to the next step of the route"), IN_WORK),
        Transition("take", _("Take it"), IN_WORK),
        Transition(
            "add_note",
            _("Add a note"),
            frozenset(set(Status) - {Status.MERGED}),
        ),
    )
}

ACTIONS = tuple(TRANSITIONS)


def allowed(action: str, *, status: str, kind: str) -> bool:
    t = TRANSITIONS.get(action)
    if t is None:
        return False
    return status in t.sources and (t.kinds is None or kind in t.kinds)


def available_actions(*, status: str, kind: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if allowed(t.action, status=status, kind=kind)]
