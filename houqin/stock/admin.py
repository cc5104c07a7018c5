"""Django's admin: back-office repair for the superuser only. The ledger is read-only here: stock
changes only through houqin.stock.services (a correction is a new movement, never an edit)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from houqin.stock.models import (
    Batch,
    Item,
    Movement,
    Requisition,
    StockSettings,
    Stocktake,
    Supplier,
    Warehouse,
)


class NoDeleteAdmin(SimpleHistoryAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Warehouse)
class WarehouseAdmin(NoDeleteAdmin):
    list_display = ["name", "campus", "kind", "kindergarten", "is_active"]
    list_filter = ["kindergarten", "kind"]


@admin.register(Supplier)
class SupplierAdmin(NoDeleteAdmin):
    list_display = ["name", "contact_person", "phone", "kindergarten", "is_active"]
    list_filter = ["kindergarten"]
    search_fields = ["name"]


@admin.register(Item)
class ItemAdmin(NoDeleteAdmin):
    list_display = ["name", "spec", "unit", "category", "minimum_level", "kindergarten", "is_active"]
    list_filter = ["kindergarten", "category"]
    search_fields = ["name", "name_initials"]


@admin.register(StockSettings)
class StockSettingsAdmin(NoDeleteAdmin):
    list_display = ["kindergarten", "expiry_warning_days", "expiry_warning_source"]


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ["item", "warehouse", "batch_no", "expiry_date", "quantity", "value", "kindergarten"]
    list_filter = ["kindergarten"]


@admin.register(Movement)
class MovementAdmin(ReadOnlyAdmin):
    list_display = ["occurred_on", "kind", "item", "warehouse", "quantity", "value", "created_by", "kindergarten"]
    list_filter = ["kindergarten", "kind"]
    date_hierarchy = "occurred_on"


@admin.register(Requisition)
class RequisitionAdmin(ReadOnlyAdmin):
    list_display = ["number", "status", "school_class", "requested_by", "requested_at", "kindergarten"]
    list_filter = ["kindergarten", "status"]


@admin.register(Stocktake)
class StocktakeAdmin(ReadOnlyAdmin):
    list_display = ["number", "warehouse", "status", "opened_at", "kindergarten"]
    list_filter = ["kindergarten", "status"]
