"""Admin: agent quotas and skills are edited here; callback data is read-only (it changes only
through the services, which record events)."""

from django.contrib import admin

from kefu.callbacks.models import AgentProfile, CallbackEvent, Project, Questionnaire


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "daily_quota", "skills", "active")
    list_filter = ("active",)
    search_fields = ("user__username", "user__display_name")
    autocomplete_fields = ()


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnly):
    list_display = ("name", "callback_type", "window_start", "window_end", "status", "owner")
    list_filter = ("status", "callback_type")


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnly):
    list_display = ("name", "company_wide", "owner", "created_at")


@admin.register(CallbackEvent)
class CallbackEventAdmin(ReadOnly):
    list_display = ("at", "actor", "action", "project", "target")
    list_filter = ("action",)
