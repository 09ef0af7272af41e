from django.contrib import admin

from .models import Phase, Programme, ProgrammeGroup, ProgrammeOutcome


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 1


class GroupInline(admin.TabularInline):
    model = ProgrammeGroup
    extra = 0


class OutcomeInline(admin.TabularInline):
    model = ProgrammeOutcome
    extra = 1


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    """Functioneel beheer designs programmes here: phases, norms, eligibility and targets, without code."""

    list_display = ["name", "code", "municipality", "is_active"]
    list_filter = ["is_active", "municipality"]
    search_fields = ["name", "code"]
    inlines = [PhaseInline, GroupInline, OutcomeInline]
