"""Callback use cases (writes). Split by subject; everything is re-exported here."""

from kefu.callbacks.services.desk import (
    attempt_record,
    follow_up_close,
    target_dial_number,
    target_for_agent,
)
from kefu.callbacks.services.events import event_record
from kefu.callbacks.services.imports import target_import_queue, target_import_run
from kefu.callbacks.services.portfolios import (
    portfolio_first_contact_record,
    portfolio_plan_apply,
    portfolio_plan_create,
)
from kefu.callbacks.services.projects import (
    agent_profile_save,
    project_close,
    project_create,
    project_start,
    questionnaire_create,
    questionnaire_new_version,
    questionnaire_publish,
    questionnaire_version_save,
)
from kefu.callbacks.services.reports import (
    report_export_queue,
    report_export_run,
    report_filing_record,
)
from kefu.callbacks.services.targets import (
    Candidate,
    post_complaint_callback_request,
    register_closed_complaint_source,
    target_reassign,
    target_remove,
    targets_add,
    targets_distribute,
    targets_from_rule,
)

__all__ = [
    "agent_profile_save",
    "Candidate",
    "attempt_record",
    "event_record",
    "follow_up_close",
    "portfolio_first_contact_record",
    "portfolio_plan_apply",
    "portfolio_plan_create",
    "post_complaint_callback_request",
    "project_close",
    "project_create",
    "project_start",
    "questionnaire_create",
    "questionnaire_new_version",
    "questionnaire_publish",
    "questionnaire_version_save",
    "register_closed_complaint_source",
    "report_export_queue",
    "report_export_run",
    "report_filing_record",
    "target_dial_number",
    "target_for_agent",
    "target_import_queue",
    "target_import_run",
    "target_reassign",
    "target_remove",
    "targets_add",
    "targets_distribute",
    "targets_from_rule",
]
