"""The roles of SPEC §0 as Django groups, with the permissions each role needs (SEC-2).

Roles are defined here, in code, and the groups are brought in step after every migrate:
a permission a role should not have is removed. Other apps add their permissions to the
role lists below when they arrive.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    code: str
    label: object  # lazy translation
    permissions: tuple[str, ...]


VIEW_CUSTOMER = "customers.view_customer"
REVEAL_PII = "customers.reveal_customer_pii"
IMPORT_CORE = "customers.import_core_data"
VIEW_AUDIT = "core.view_auditevent"
MANAGE_CALENDAR = (
    "core.add_calendaryear",
    "core.change_calendaryear",
    "core.delete_calendaryear",
    "core.view_calendaryear",
)
MANAGE_TOKENS = ("core.manage_api_tokens", "core.view_apitoken")
MANAGE_USERS = ("core.add_user", "core.change_user", "core.view_user")
VIEW_ARTICLE = "knowledge.view_article"
EDIT_ARTICLE = ("knowledge.add_article", "knowledge.change_article")
REVIEW_ARTICLE = "knowledge.review_article"
MANAGE_LEXICON = "knowledge.manage_lexicon"
TAKE_TRAINING = "knowledge.take_training"
MANAGE_TRAINING = "knowledge.manage_training"
VIEW_TRAINING_RESULTS = "knowledge.view_training_results"
KB_AGENT = (VIEW_ARTICLE, TAKE_TRAINING)

ROLES: tuple[Role, ...] = (
    Role("agent", _("Agent"), (*KB_AGENT, VIEW_CUSTOMER)),
    Role("callback", _("Callback agent"), (*KB_AGENT, VIEW_CUSTOMER)),
    Role("complaint", _("Complaint handler"), (*KB_AGENT, VIEW_CUSTOMER, REVEAL_PII)),
    Role("tech", _("Technical agent"), (*KB_AGENT, VIEW_CUSTOMER)),
    Role(
        "supervisor",
        _("Supervisor"),
        (
            VIEW_ARTICLE,
            REVIEW_ARTICLE,
            MANAGE_TRAINING,
            VIEW_TRAINING_RESULTS,
            VIEW_CUSTOMER,
            REVEAL_PII,
            VIEW_AUDIT,
        ),
    ),
    Role("qa", _("QA inspector"), (VIEW_ARTICLE, VIEW_CUSTOMER)),
    Role(
        "manager",
        _("Manager"),
        (
            VIEW_ARTICLE,
            REVIEW_ARTICLE,
            VIEW_TRAINING_RESULTS,
            VIEW_CUSTOMER,
            REVEAL_PII,
            VIEW_AUDIT,
        ),
    ),
    # Writes and maintains the knowledge base and the training question bank (KB-1, KB-4).
    Role(
        "editor",
        _("Knowledge editor"),
        (VIEW_ARTICLE, *EDIT_ARTICLE, MANAGE_LEXICON, MANAGE_TRAINING),
    ),
    Role("partner", _("Partner department"), ()),
    Role(
        "admin",
        _("Administrator"),
        (VIEW_AUDIT, IMPORT_CORE, *MANAGE_TOKENS, *MANAGE_CALENDAR, *MANAGE_USERS),
    ),
    # Service accounts: a telephony platform. The IVR adds its permissions here.
    Role("telephony", _("Telephony platform (service)"), (VIEW_ARTICLE,)),
)

# Tickets (SR-1 … SR-10), added to the roles above. A partner department (营销部, 技术部, 风控 …)
# is a team of kind "department" whose members see and work only what a route or a
# hand-over sent to their team or to them (SEC-2): they record no tickets of their own.
VIEW_TICKET = "tickets.view_ticket"
ADD_TICKET = "tickets.add_ticket"
WORK_TICKET = "tickets.work_ticket"
VIEW_ALL_TICKETS = "tickets.view_all_tickets"
HANDLE_COMPLAINT = "tickets.handle_complaint"
APPROVE_EXTENSION = "tickets.approve_extension"
COMPLAINT_STATISTICS = "tickets.view_complaint_statistics"
IVR_SATISFACTION = "tickets.record_ivr_satisfaction"
MANAGE_ROUTING = tuple(
    f"tickets.{verb}_{model}"
    for model in ("team", "teammember", "queue", "route", "routestep", "slapolicy")
    + ("businesshours", "regulatorylimit")
    for verb in ("add", "change", "delete", "view")
)
TICKET_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "agent": (VIEW_TICKET, ADD_TICKET, WORK_TICKET),
    "callback": (VIEW_TICKET, WORK_TICKET),
    "complaint": (VIEW_TICKET, ADD_TICKET, WORK_TICKET, HANDLE_COMPLAINT),
    "tech": (VIEW_TICKET, ADD_TICKET, WORK_TICKET),
    "supervisor": (
        VIEW_TICKET,
        ADD_TICKET,
        WORK_TICKET,
        VIEW_ALL_TICKETS,
        HANDLE_COMPLAINT,
        APPROVE_EXTENSION,
        COMPLAINT_STATISTICS,
    ),
    "qa": (VIEW_TICKET, VIEW_ALL_TICKETS),
    "manager": (VIEW_TICKET, VIEW_ALL_TICKETS, APPROVE_EXTENSION, COMPLAINT_STATISTICS),
    "admin": MANAGE_ROUTING,
    "partner": (VIEW_TICKET, WORK_TICKET),
    "telephony": (IVR_SATISFACTION,),
}
ROLES = tuple(
    Role(r.code, r.label, (*r.permissions, *TICKET_PERMISSIONS.get(r.code, ()))) for r in ROLES
)

# The self-service hotline (kefu.ivr): the telephony platform drives calls through the API;
# agents (and complaint handlers for the complaint queue) answer queued calls; supervisors,
# QA and managers read call records; supervisors (trainers) and administrators (testers)
# place test calls on the keypad page.
IVR_API = "ivr.use_ivr_api"
IVR_QUEUE = ("ivr.view_queueentry", "ivr.answer_queueentry")
IVR_CALLS = "ivr.view_call"
IVR_PHONE = "ivr.use_phone_simulator"
IVR_ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "agent": IVR_QUEUE,
    "complaint": IVR_QUEUE,
    "supervisor": (*IVR_QUEUE, IVR_CALLS, IVR_PHONE),
    "qa": (IVR_CALLS,),
    "manager": (IVR_CALLS,),
    "admin": (IVR_PHONE,),
    "telephony": (IVR_API,),
}
ROLES = tuple(
    Role(r.code, r.label, (*r.permissions, *IVR_ROLE_PERMISSIONS.get(r.code, ()))) for r in ROLES
)

# Callbacks and customer portfolios (kefu.callbacks, CB-1 … CB-6, PF-1, PF-2): supervisors
# run projects, lists and distribution; callback agents work the desk; managers read the
# reports; agents and callback agents record first contacts of the customers given to them.
CALLBACK_MANAGE = "callbacks.manage_callbacks"
CALLBACK_WORK = "callbacks.work_callbacks"
CALLBACK_REPORTS = "callbacks.view_callback_reports"
PORTFOLIO_MANAGE = "callbacks.manage_portfolios"
PORTFOLIO_WORK = "callbacks.work_portfolio"
CALLBACK_ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "agent": (PORTFOLIO_WORK,),
    "callback": (CALLBACK_WORK, PORTFOLIO_WORK),
    "supervisor": (CALLBACK_MANAGE, CALLBACK_REPORTS, PORTFOLIO_MANAGE),
    "manager": (CALLBACK_REPORTS,),
}
ROLES = tuple(
    Role(r.code, r.label, (*r.permissions, *CALLBACK_ROLE_PERMISSIONS.get(r.code, ())))
    for r in ROLES
)

ROLE_BY_CODE = {role.code: role for role in ROLES}


def sync_roles(*, using: str = "default") -> None:
    """Create or update one group per role with exactly the role's permissions."""
    from django.contrib.auth.models import Group, Permission

    for role in ROLES:
        group, _created = Group.objects.using(using).get_or_create(name=role.code)
        wanted = []
        for dotted in role.permissions:
            app_label, codename = dotted.split(".", 1)
            wanted.append(
                Permission.objects.using(using).get(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(wanted)


def sync_roles_after_migrate(sender, using="default", **kwargs) -> None:
    # Runs after each app migrates; the permissions exist once every app has.
    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.db import DatabaseError

    if not apps.is_installed("kefu.customers"):
        return
    try:
        needed = {p for role in ROLES for p in role.permissions}
        present = {
            f"{app}.{code}"
            for app, code in Permission.objects.using(using).values_list(
                "content_type__app_label", "codename"
            )
        }
    except DatabaseError:
        return
    if needed <= present:
        sync_roles(using=using)


def user_roles(user) -> list[str]:
    return sorted(g.name for g in user.groups.all() if g.name in ROLE_BY_CODE)


def role_labels(codes: list[str]) -> list[str]:
    return [str(ROLE_BY_CODE[c].label) for c in codes if c in ROLE_BY_CODE]
