from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IvrConfig(AppConfig):
    name = "kefu.ivr"
    label = "ivr"
    verbose_name = _("Self-service hotline (IVR)")

    def ready(self) -> None:
        from kefu.customers.selectors import TIMELINE_SOURCES, register_timeline_source
        from kefu.ivr import actions  # noqa: F401  (registers the flow actions)
        from kefu.ivr.selectors import call_timeline_entries

        # CUS-7: every call of a customer appears on the 360 timeline (one query).
        if call_timeline_entries not in TIMELINE_SOURCES:
            register_timeline_source(call_timeline_entries)
