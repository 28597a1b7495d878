"""System checks of the ticket settings."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register


@register()
def check_institution_type(app_configs, **kwargs) -> list[Error]:
    """REG-1 limits depend on the institution type: a misspelt one must not silently count a
    bank's limits for an insurer."""
    from kefu.tickets.models import InstitutionType

    value = getattr(settings, "KEFU_INSTITUTION_TYPE", InstitutionType.BANK)
    if value in InstitutionType.values:
        return []
    return [
        Error(
            f"KEFU_INSTITUTION_TYPE is {value!r}.",
            hint=f"Use one of: {', '.join(InstitutionType.values)}.",
            id="tickets.E001",
        )
    ]
