"""Ticket use cases (writes). Split by theme; import them from here."""

from kefu.tickets.services.actions import (
    params_of,
    route_along,
    ticket_act,
    ticket_apply_system_action,
    ticket_check_action,
)
from kefu.tickets.services.intake import (
    attachment_add,
    attachment_record_download,
    ticket_create,
)
from kefu.tickets.services.satisfaction import (
    ivr_satisfaction,
    survey_answer,
    survey_by_token,
    survey_send,
)
from kefu.tickets.services.sla import SweepResult, sla_sweep

__all__ = [
    "attachment_add",
    "attachment_record_download",
    "SweepResult",
    "ivr_satisfaction",
    "params_of",
    "route_along",
    "sla_sweep",
    "survey_answer",
    "survey_by_token",
    "survey_send",
    "ticket_act",
    "ticket_apply_system_action",
    "ticket_check_action",
    "ticket_create",
]
