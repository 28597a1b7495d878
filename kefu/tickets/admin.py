"""Routing and SLA configuration in the admin (SR-7, SR-9, REG-1); tickets read-only.

Every configuration change is written to the audit log (SEC-4).
"""

from django.contrib import admin
from django.forms.models import model_to_dict

from kefu.core.services import audit_record
from kefu.tickets.models import (
    BusinessHours,
    Queue,
    RegulatoryLimit,
    Route,
    RouteStep,
    SlaPolicy,
    Team,
    TeamMember,
    Ticket,
)


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        old = model_to_dict(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        new = model_to_dict(obj)
        changes = {k: (old.get(k), v) for k, v in new.items() if old.get(k) != v}
        audit_record(
            actor=request.user,
            action=f"tickets.{obj._meta.model_name}.{'changed' if change else 'created'}",
            obj=obj,
            changes=changes,
        )

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action=f"tickets.{obj._meta.model_name}.deleted", obj=obj)
        super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        """Inline rows (team members and their skills, route steps) are configuration too:
        each one added, changed or removed is audited."""
        old = {
            f.instance.pk: model_to_dict(type(f.instance).objects.get(pk=f.instance.pk))
            for f in formset.initial_forms
            if f.instance.pk is not None and f.has_changed()
        }
        super().save_formset(request, form, formset, change)
        for obj in formset.deleted_objects:
            audit_record(
                actor=request.user, action=f"tickets.{obj._meta.model_name}.deleted", obj=obj
            )
        for obj, _fields in formset.changed_objects:
            before = old.get(obj.pk, {})
            changes = {k: (before.get(k), v) for k, v in model_to_dict(obj).items()}
            audit_record(
                actor=request.user,
                action=f"tickets.{obj._meta.model_name}.changed",
                obj=obj,
                changes={k: ov for k, ov in changes.items() if ov[0] != ov[1]},
            )
        for obj in formset.new_objects:
            audit_record(
                actor=request.user,
                action=f"tickets.{obj._meta.model_name}.created",
                obj=obj,
                changes={k: (None, v) for k, v in model_to_dict(obj).items()},
            )


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ("name", "code", "kind", "supervisor", "handover_minutes", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    inlines = [TeamMemberInline]


@admin.register(Queue)
class QueueAdmin(AuditedAdmin):
    list_display = ("name", "code", "team", "skill", "auto_assign")
    list_filter = ("team",)


class RouteStepInline(admin.TabularInline):
    model = RouteStep
    extra = 1


@admin.register(Route)
class RouteAdmin(AuditedAdmin):
    list_display = ("name", "code", "kind", "category", "is_active")
    list_filter = ("kind", "category", "is_active")
    inlines = [RouteStepInline]


@admin.register(BusinessHours)
class BusinessHoursAdmin(AuditedAdmin):
    list_display = ("name", "code", "windows", "working_days_only")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditedAdmin):
    list_display = ("clock", "kind", "amount", "unit", "business_hours", "day_kind", "warn_percent")


@admin.register(RegulatoryLimit)
class RegulatoryLimitAdmin(AuditedAdmin):
    list_display = (
        "institution_type",
        "decide_days",
        "extended_days",
        "further_extension_days",
        "review_days",
        "day_kind",
    )


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: tickets change through their actions only (SR-10)."""

    list_display = ("id", "kind", "category", "status", "channel", "owner", "team", "received_at")
    list_filter = ("kind", "status", "channel")
    fields = ("kind", "category", "status", "channel", "owner", "team", "assignee", "received_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
