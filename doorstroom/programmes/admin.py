from django.contrib import admin

from .models import ContextTag, Phase, Programme, ProgrammeGroup, ProgrammeOutcome, ReasonCode


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


@admin.register(ReasonCode)
class ReasonCodeAdmin(admin.ModelAdmin):
    """Reasons per lifecycle step: shared ones and a programme's own. A new reason starts in the most
    protected category; switch a reason off instead of deleting it once it has been used."""

    list_display = ["label", "code", "event_type", "category", "programme", "is_active"]
    list_filter = ["event_type", "category", "is_active", "programme"]
    search_fields = ["label", "code"]


@admin.register(ContextTag)
class ContextTagAdmin(admin.ModelAdmin):
    """Contexts and mechanisms of a trajectory (what works for whom); switch one off instead of
    deleting it once trajectories carry it."""

    list_display = ["label", "code", "is_active", "position"]
    list_filter = ["is_active"]
    search_fields = ["label", "code"]
