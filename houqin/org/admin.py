"""Django's admin: back-office repair for the superuser only. Voidable records cannot be deleted."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from houqin.org.models import Campus, Child, District, Guardian, Kindergarten, Membership, PickupPerson, SchoolClass


class NoDeleteAdmin(SimpleHistoryAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]


@admin.register(Kindergarten)
class KindergartenAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "district", "is_active"]
    list_filter = ["district"]


@admin.register(Campus)
class CampusAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kindergarten"]


@admin.register(SchoolClass)
class SchoolClassAdmin(SimpleHistoryAdmin):
    list_display = ["name", "grade", "school_year", "campus", "kindergarten"]
    list_filter = ["kindergarten", "grade", "school_year"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "kindergarten", "district", "campus", "is_active"]
    list_filter = ["role", "kindergarten"]
    raw_id_fields = ["user"]


@admin.register(Child)
class ChildAdmin(NoDeleteAdmin):
    list_display = ["name", "school_class", "kindergarten", "birth_date", "left_on", "voided_at"]
    list_filter = ["kindergarten"]
    search_fields = ["name"]
    exclude = ["id_number"]


@admin.register(Guardian)
class GuardianAdmin(NoDeleteAdmin):
    list_display = ["name", "relation", "child", "kindergarten"]
    raw_id_fields = ["child", "user"]


@admin.register(PickupPerson)
class PickupPersonAdmin(NoDeleteAdmin):
    list_display = ["name", "relation", "child", "kindergarten"]
    raw_id_fields = ["child"]
