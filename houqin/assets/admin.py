"""Django's admin: back-office repair for the superuser only. Asset records cannot be deleted."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from houqin.assets.models import Asset, AssetStocktake, Handover, Room


class NoDeleteAdmin(SimpleHistoryAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Room)
class RoomAdmin(NoDeleteAdmin):
    list_display = ["name", "campus", "school_class", "kindergarten", "is_active"]
    list_filter = ["kindergarten"]


@admin.register(Asset)
class AssetAdmin(NoDeleteAdmin):
    list_display = ["label_code", "name", "category", "quantity", "state", "kindergarten"]
    list_filter = ["kindergarten", "category", "state"]
    search_fields = ["label_code", "name"]
    raw_id_fields = ["custodian", "room", "school_class"]


@admin.register(Handover)
class HandoverAdmin(NoDeleteAdmin):
    list_display = ["school_class", "school_year", "term", "kind", "status", "kindergarten"]
    list_filter = ["kindergarten", "status"]


@admin.register(AssetStocktake)
class AssetStocktakeAdmin(NoDeleteAdmin):
    list_display = ["campus", "room", "counted_on", "status", "kindergarten"]
    list_filter = ["kindergarten", "status"]
