"""Customer data comes from the core-banking system (import or adapter): admin is read-only,
and shows masked numbers only."""

from django.contrib import admin

from kefu.customers.models import AccountManager, Customer


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("external_id", "name", "mobile_masked", "segment", "created_at")
    list_filter = ("segment",)
    search_fields = ("external_id", "name")
    fields = (
        "external_id",
        "name",
        "gender",
        "birth_date",
        "mobile_masked",
        "email",
        "segment",
        "preferred_channel",
        "risk_level",
        "account_manager",
    )
    readonly_fields = fields


@admin.register(AccountManager)
class AccountManagerAdmin(ReadOnlyAdmin):
    list_display = ("employee_no", "name", "branch")
    search_fields = ("employee_no", "name")
