from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    name = "kefu.callbacks"
    label = "callbacks"
    verbose_name = _("Callbacks")

    def ready(self) -> None:
        from kefu.callbacks import integrations
        from kefu.callbacks.selectors import callback_timeline_entries
        from kefu.customers.selectors import TIMELINE_SOURCES, register_timeline_source

        # CUS-7: callbacks appear on the customer 360 timeline (one query per page).
        if callback_timeline_entries not in TIMELINE_SOURCES:
            register_timeline_source(callback_timeline_entries)
        # CB-3: closed complaints from kefu.tickets feed post-complaint callbacks.
        integrations.register()
