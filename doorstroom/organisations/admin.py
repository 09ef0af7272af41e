"""Functioneel beheer designs programmes and reference data in the admin. Accounts, roles, groups
and regions' reach are not edited here: user administrators change them on their own pages, two
of them for every change (ADR 0010), so administration never becomes case access."""

from django.contrib import admin
from django.contrib.auth.models import Group

from .models import Organisation, Region

admin.site.unregister(Group)  # permissions are given by role and the shipped group, never edited


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    filter_horizontal = ["works_for"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """Read-only: a region's centre and the municipalities it executes for decide who sees whose
    files, so they change through two user administrators (Gebruikersbeheer)."""

    list_display = ["name", "centre"]
    fields = ["name", "centre", "members", "executes_for"]
    readonly_fields = ["name", "centre", "members", "executes_for"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
