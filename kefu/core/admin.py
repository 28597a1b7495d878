from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from kefu.core import totp
from kefu.core.models import ApiToken, AuditEvent, CalendarDay, CalendarYear, User
from kefu.core.services import api_token_revoke, audit_record

AUDITED_USER_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
    "kind",
    "display_name",
    "employee_no",
    "locked_until",
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "employee_no", "kind", "is_active", "locked_until")
    list_filter = ("kind", "is_active", "groups")
    search_fields = ("username", "display_name", "employee_no")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            _("Kefu"),
            {
                "fields": (
                    "kind",
                    "display_name",
                    "employee_no",
                    "failed_login_count",
                    "locked_until",
                    "is_demo",
                )
            },
        ),
    )
    readonly_fields = ("failed_login_count", "is_demo", "last_login", "date_joined")

    # Every change made here is written to the audit log (SEC-4); staff accounts are
    # deactivated, never deleted, so their history stays attributable.
    def has_delete_permission(self, request, obj=None):
        return False

    actions = ["reset_two_step"]

    @admin.action(description=_("Reset two-step verification (lost phone)"), permissions=["change"])
    def reset_two_step(self, request, queryset):
        count = sum(totp.reset(user=user, by=request.user) for user in queryset)
        self.message_user(
            request,
            _("Two-step verification reset for %(n)d users; they can set it up again.")
            % {"n": count},
        )

    def save_model(self, request, obj, form, change):
        old = {}
        if change:
            old = User.objects.filter(pk=obj.pk).values(*AUDITED_USER_FIELDS).first() or {}
        super().save_model(request, obj, form, change)
        changes = {
            f: (old.get(f), getattr(obj, f))
            for f in AUDITED_USER_FIELDS
            if old.get(f) != getattr(obj, f)
        }
        if "password" in form.changed_data or (not change and obj.has_usable_password()):
            changes["password"] = ("***", "*** (changed)")
        audit_record(
            actor=request.user,
            action="user.changed" if change else "user.created",
            obj=obj,
            changes=changes,
            data={"via": "admin"},
        )

    def save_related(self, request, form, formsets, change):
        user = form.instance
        before = sorted(user.groups.values_list("name", flat=True)) if change else []
        super().save_related(request, form, formsets, change)
        after = sorted(user.groups.values_list("name", flat=True))
        if before != after:
            audit_record(
                actor=request.user,
                action="user.roles.changed",
                obj=user,
                changes={"groups": (before, after)},
                data={"via": "admin"},
            )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with `kefu token create`; here they can only be looked at."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    readonly_fields = [f.name for f in ApiToken._meta.fields]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"), permissions=["manage"])
    def revoke(self, request, queryset):
        for token in queryset.select_related("user"):
            api_token_revoke(token=token, by=request.user)

    def has_manage_permission(self, request):
        return request.user.has_perm("core.manage_api_tokens")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log has no edit or delete path (SEC-4)."""

    list_display = ("at", "actor_label", "action", "object_type", "object_id", "object_repr")
    list_filter = ("action",)
    search_fields = ("actor_label", "action", "object_id")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "entered_by", "entered_at")
    readonly_fields = ("entered_by", "entered_at")
    inlines = [CalendarDayInline]

    def has_change_permission(self, request, obj=None):
        # Changes go through the calendar page, which audits them.
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
