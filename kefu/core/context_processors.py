from __future__ import annotations

from django.conf import settings

from kefu.core.roles import role_labels, user_roles


def kefu(request):
    user = getattr(request, "user", None)
    data = {"KEFU_INSTITUTION_NAME": settings.KEFU_INSTITUTION_NAME, "calendar_warning": None}
    if user is not None and user.is_authenticated:
        data["user_roles"] = role_labels(user_roles(user))
        if user.has_perm("core.change_calendaryear"):
            from kefu.core.calendars import missing_next_year_warning

            data["calendar_warning"] = missing_next_year_warning()
    return data
