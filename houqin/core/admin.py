from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from houqin.core.models import ApiToken, AuditEvent, User


@admin.register(User)
class HouqinUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Houqin", {"fields": ("full_name", "phone")}),)
    list_display = ["username", "full_name", "phone", "is_active", "is_superuser"]
    search_fields = ["username", "full_name", "phone"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "outcome", "kindergarten", "object_type"]
    list_filter = ["action", "outcome"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "kindergarten", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash"]
