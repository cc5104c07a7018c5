"""Django's admin: back-office repair for the superuser only. Money records cannot be deleted."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from houqin.finance.models import (
    Budget,
    BudgetCategory,
    Expense,
    FeeStandard,
    FinanceSettings,
    PurchaseRequest,
    Receipt,
    RepairRequest,
    Signature,
)


class NoDeleteAdmin(SimpleHistoryAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FinanceSettings)
class FinanceSettingsAdmin(SimpleHistoryAdmin):
    list_display = ["kindergarten", "approval_threshold", "food_in_budget"]


@admin.register(BudgetCategory)
class BudgetCategoryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kindergarten", "is_food", "is_active"]
    list_filter = ["kindergarten"]


@admin.register(Budget)
class BudgetAdmin(NoDeleteAdmin):
    list_display = ["year", "category", "amount", "kindergarten"]
    list_filter = ["kindergarten", "year"]


@admin.register(PurchaseRequest)
class PurchaseRequestAdmin(NoDeleteAdmin):
    list_display = ["number", "title", "status", "total", "kindergarten"]
    list_filter = ["kindergarten", "status"]


@admin.register(RepairRequest)
class RepairRequestAdmin(NoDeleteAdmin):
    list_display = ["number", "title", "status", "estimated_cost", "kindergarten"]
    list_filter = ["kindergarten", "status"]


@admin.register(Expense)
class ExpenseAdmin(NoDeleteAdmin):
    list_display = ["number", "title", "status", "amount", "kindergarten"]
    list_filter = ["kindergarten", "status"]


@admin.register(Receipt)
class ReceiptAdmin(NoDeleteAdmin):
    list_display = ["expense", "content_type", "size", "original_name"]


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["expense", "step", "user", "signed_at"]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FeeStandard)
class FeeStandardAdmin(NoDeleteAdmin):
    list_display = ["item", "school_year", "term", "amount", "unit", "published_at", "kindergarten"]
    list_filter = ["kindergarten", "school_year", "term"]
