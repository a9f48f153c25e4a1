"""Django admin is for superusers (platform staff) only: they create Networks and
municipalities. Resident data is deliberately not registered here: it is reached only through
the access-checked screens."""

from django.contrib import admin

from .models import MedicalArea, Municipality, Network, OperatorRole, Suspension


class SuperuserOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


@admin.register(MedicalArea)
class MedicalAreaAdmin(SuperuserOnlyAdmin):
    list_display = ["name", "prefecture"]


@admin.register(Municipality)
class MunicipalityAdmin(SuperuserOnlyAdmin):
    list_display = ["code", "name", "medical_area"]
    search_fields = ["code", "name"]


@admin.register(Network)
class NetworkAdmin(SuperuserOnlyAdmin):
    list_display = ["name", "slug", "operator_organisation", "two_factor_required", "is_active"]
    filter_horizontal = ["municipalities"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(OperatorRole)
class OperatorRoleAdmin(SuperuserOnlyAdmin):
    list_display = ["network", "user", "is_active"]
    raw_id_fields = ["user"]


@admin.register(Suspension)
class SuspensionAdmin(SuperuserOnlyAdmin):
    list_display = ["network", "user", "created_at", "lifted_at"]
    raw_id_fields = ["user", "suspended_by", "lifted_by"]
