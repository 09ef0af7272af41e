from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Region, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    filter_horizontal = ["works_for"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "centre"]
    filter_horizontal = ["members", "executes_for"]


@admin.register(User)
class DoorstroomUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "organisation", "role", "is_active"]
    list_filter = ["role", "organisation", "is_active"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Doorstroom"), {"fields": ("organisation", "role")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Doorstroom"), {"fields": ("organisation", "role")}),
    )
