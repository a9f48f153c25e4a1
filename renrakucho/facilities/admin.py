from django.contrib import admin

from renrakucho.networks.admin import SuperuserOnlyAdmin

from .models import Affiliation, Facility


@admin.register(Facility)
class FacilityAdmin(SuperuserOnlyAdmin):
    list_display = ["name", "network", "facility_type", "status"]
    list_filter = ["network", "facility_type", "status"]
    search_fields = ["name", "search_key"]


@admin.register(Affiliation)
class AffiliationAdmin(SuperuserOnlyAdmin):
    list_display = ["user", "facility", "is_admin", "status"]
    raw_id_fields = ["user", "facility", "approved_by", "ended_by"]
