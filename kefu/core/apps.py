from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kefu.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib.auth.models import Group, Permission

        from kefu.core import checks  # noqa: F401  (registers system checks)
        from kefu.core.generations import watch, watch_m2m
        from kefu.core.models import CalendarYear, User
        from kefu.core.roles import sync_roles_after_migrate

        # Kept in memory by each process: the entered years of the calendar, and who may do
        # what (kefu.core.auth.PermissionBackend).
        watch(CalendarYear, Group, Permission)
        watch_m2m(User.groups.through, User.user_permissions.through, Group.permissions.through)

        # Roles are data that code defines: keep the groups in step after every migrate.
        post_migrate.connect(sync_roles_after_migrate, sender=self)
