from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "kefu.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from kefu.core.generations import watch
        from kefu.customers.selectors import register_timeline_source
        from kefu.tickets import checks  # noqa: F401  (registers the system checks)
        from kefu.tickets.models import BusinessHours, RegulatoryLimit, SlaPolicy, TeamMember
        from kefu.tickets.selectors import customer_ticket_timeline

        # Kept in memory by each process: read for every new ticket (kefu.tickets.deadlines,
        # services.intake), changed a few times a year.
        watch(SlaPolicy, BusinessHours, RegulatoryLimit, TeamMember)
        if customer_ticket_timeline not in _registered():
            register_timeline_source(customer_ticket_timeline)


def _registered() -> list:
    from kefu.customers.selectors import TIMELINE_SOURCES

    return TIMELINE_SOURCES
