from django.contrib import admin

from renrakucho.networks.admin import SuperuserOnlyAdmin

from .models import Occupation, User


@admin.register(Occupation)
class OccupationAdmin(SuperuserOnlyAdmin):
    list_display = ["name", "code", "category", "sort_order"]


@admin.register(User)
class UserAdmin(SuperuserOnlyAdmin):
    list_display = ["username", "name", "name_kana", "is_active", "is_superuser"]
    search_fields = ["username", "search_key"]
    exclude = ["password", "user_permissions", "groups"]
    filter_horizontal = ["occupations"]
