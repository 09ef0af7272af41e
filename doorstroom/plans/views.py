"""Plan pages: the current plan with its history and differences, and editing it (a new version)."""

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from doorstroom.access import policy as access
from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.core.pdf import pdf_response

from . import forms, selectors, services


@login_required
def plan_detail(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    participant = access.require_participant(request.user, participant_uuid, access.Action.VIEW, access.Category.PLAN)
    versions = list(selectors.versions_of(participant))
    compare = request.GET.get("versie", "")
    difference: list[str] | None = None
    if compare.isdigit() and int(compare) > 1:
        difference = selectors.difference_between(participant, int(compare) - 1, int(compare))
    return TemplateResponse(
        request,
        "plans/plan_detail.html",
        {
            "participant": participant,
            "plan": versions[0] if versions else None,
            "versions": versions,
            "compare": int(compare) if compare.isdigit() else None,
            "difference": difference,
            "term": selectors.integration_term_of(participant) if participant.civic_integration_duty else None,
            "households": selectors.household_plans_of(participant),
            "can_change": access.Category.PLAN
            in access.categories_allowed(request.user, participant, access.Action.CHANGE),
        },
    )


FIELD = re.compile(r"^(goals|agreements)\[(\d+)\]\.(\w+)$")


def _plan_form(request: access.AuthenticatedRequest, current: Any, values: dict[str, Any]) -> forms.PlanForm:
    """The plan's own fields (version, review, agreement), filled from the current version."""
    return forms.PlanForm(
        request.POST or None,
        initial={
            "version": current.number if current else 0,
            "review_on": values["review_on"],
            "agreed_on": values["agreed_on"],
            "agreed_how": current.agreed_how if current else "",
        },
    )


def _plan_values(plan_form: forms.PlanForm) -> dict[str, Any]:
    """The plan form's values as `services.plan_save` takes them."""
    data = plan_form.cleaned_data
    return {
        "expected_version": data["version"],
        "review_on": data["review_on"],
        "agreed_on": data["agreed_on"],
        "agreed_how": data["agreed_how"],
        "change_note": data["change_note"],
    }


def _place_error(
    error: DomainError,
    plan_form: forms.PlanForm,
    pip_form: forms.PipForm | None,
    goals: list[tuple[int, dict[str, Any]]],
    goal_forms: Any,
    agreements: list[tuple[int, dict[str, Any]]],
    agreement_forms: Any,
) -> None:
    """Put a service error next to the field it names: a goal or agreement row, the PIP, or the top."""
    match = FIELD.match(error.field or "")
    if match:
        rows, formset = (goals, goal_forms) if match[1] == "goals" else (agreements, agreement_forms)
        target = formset.forms[rows[int(match[2])][0]]
        error.field = match[3]
        target.add_domain_error(error)
    elif pip_form is not None and error.field in pip_form.fields:
        pip_form.add_domain_error(error)
    else:
        if error.code == "conflict":
            error.field = None  # shown at the top, with who changed what
        plan_form.add_domain_error(error)


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    participant = access.require_participant(request.user, participant_uuid, access.Action.CHANGE, access.Category.PLAN)
    current = selectors.current_plan(participant)
    values = selectors.as_mapping(current)
    plan_form = _plan_form(request, current, values)
    pip_form = None
    if participant.civic_integration_duty:
        # the decision date and the reason belong to one decision: a new version asks for them again
        pip_initial = {k: v for k, v in values.items() if k in ("learning_route", "map_intensity", "pvt_intensity")}
        pip_form = forms.PipForm(request.POST or None, initial=pip_initial, prefix="pip")
    goal_forms = forms.GoalFormSet(request.POST or None, initial=values["goals"], prefix="doelen")
    agreement_forms = forms.AgreementFormSet(request.POST or None, initial=values["agreements"], prefix="afspraken")
    forms_valid = all(f.is_valid() for f in (plan_form, goal_forms, agreement_forms, pip_form) if f is not None)
    if request.method == "POST" and forms_valid:
        goals, agreements = forms.kept_rows(goal_forms), forms.kept_rows(agreement_forms)
        try:
            services.plan_save(
                participant=participant,
                actor=request.user,
                goals=[row for _, row in goals],
                agreements=[row for _, row in agreements],
                **_plan_values(plan_form),
                pip=pip_form.cleaned_data if pip_form is not None else None,
            )
        except DomainError as error:
            _place_error(error, plan_form, pip_form, goals, goal_forms, agreements, agreement_forms)
        else:
            messages.success(request, _("Het plan is opgeslagen als nieuwe versie."))
            return redirect("plans:detail", participant_uuid=participant.uuid)
    invalid = request.method == "POST"
    return TemplateResponse(
        request,
        "plans/plan_form.html",
        {
            "participant": participant,
            "plan_form": plan_form,
            "pip_form": pip_form,
            "back_url": reverse("plans:detail", args=[participant.uuid]),
            "heading": _("Plan van aanpak van %(name)s") % {"name": participant.full_name},
            "goal_forms": goal_forms,
            "agreement_forms": agreement_forms,
        },
        status=400 if invalid else 200,
    )


@login_required
def plan_pdf(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    """The current plan as a PDF in plain Dutch that the participant can take home."""
    participant = access.require_participant(request.user, participant_uuid, access.Action.EXPORT, access.Category.PLAN)
    plan = selectors.current_plan(participant)
    if plan is None:
        raise Http404
    return pdf_response(
        "plans/plan.pdf.html",
        {
            "participant": participant,
            "plan": plan,
            "made_on": clock.today(),
            "term": selectors.integration_term_of(participant) if participant.civic_integration_duty else None,
        },
        f"plan-van-aanpak-versie-{plan.number}.pdf",
    )


@login_required
def household_plan_detail(request: access.AuthenticatedRequest, household_uuid: str) -> HttpResponse:
    """One plan for a household supported as a whole, with goals per member; a reader sees the
    goals of the members whose plan they may see, and the household-wide parts only when that is
    everyone."""
    household, members = access.require_household(request.user, household_uuid, access.Action.VIEW)
    versions = list(selectors.versions_of(household))
    plan = versions[0] if versions else None
    visible_ids = {m.pk for m in members}
    goals = [g for g in plan.goals.all() if g.member_id in visible_ids] if plan else []
    whole_household = len(members) == household.members.count()
    compare = request.GET.get("versie", "")
    difference: list[str] | None = None
    if whole_household and compare.isdigit() and int(compare) > 1:
        difference = selectors.difference_between(household, int(compare) - 1, int(compare))
    return TemplateResponse(
        request,
        "plans/household_plan.html",
        {
            "household": household,
            "members": members,
            "plan": plan,
            "goals": goals,
            "hidden_goals": (len(plan.goals.all()) - len(goals)) if plan else 0,
            "whole_household": whole_household,
            "versions": versions,
            "compare": int(compare) if compare.isdigit() else None,
            "difference": difference,
            "can_change": whole_household
            and access.participants_allowed(request.user, access.Action.CHANGE, access.Category.PLAN)
            .filter(pk__in=[m.pk for m in members])
            .count()
            == len(members),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_plan_edit(request: access.AuthenticatedRequest, household_uuid: str) -> HttpResponse:
    household, members = access.require_household(request.user, household_uuid, access.Action.CHANGE)
    current = selectors.current_plan(household)
    values = selectors.as_mapping(current)
    plan_form = _plan_form(request, current, values)
    goal_forms = forms.HouseholdGoalFormSet(
        request.POST or None, initial=values["goals"], prefix="doelen", form_kwargs={"members": members}
    )
    agreement_forms = forms.AgreementFormSet(request.POST or None, initial=values["agreements"], prefix="afspraken")
    if request.method == "POST" and all(f.is_valid() for f in (plan_form, goal_forms, agreement_forms)):
        goals, agreements = forms.kept_rows(goal_forms), forms.kept_rows(agreement_forms)
        try:
            services.plan_save(
                household=household,
                actor=request.user,
                goals=[row for _, row in goals],
                agreements=[row for _, row in agreements],
                **_plan_values(plan_form),
            )
        except DomainError as error:
            _place_error(error, plan_form, None, goals, goal_forms, agreements, agreement_forms)
        else:
            messages.success(request, _("Het gezinsplan is opgeslagen als nieuwe versie."))
            return redirect("plans:household", household_uuid=household.uuid)
    return TemplateResponse(
        request,
        "plans/plan_form.html",
        {
            "plan_form": plan_form,
            "pip_form": None,
            "goal_forms": goal_forms,
            "agreement_forms": agreement_forms,
            "back_url": reverse("plans:household", args=[household.uuid]),
            "heading": _("Gezinsplan van %(name)s") % {"name": household.name},
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def household_plan_pdf(request: access.AuthenticatedRequest, household_uuid: str) -> HttpResponse:
    """The household plan as a PDF for the family: every member's goals, so only for someone who
    may export the plan of each member."""
    household, _members = access.require_household(request.user, household_uuid, access.Action.EXPORT)
    plan = selectors.current_plan(household)
    if plan is None:
        raise Http404
    return pdf_response(
        "plans/plan.pdf.html",
        {"household": household, "plan": plan, "made_on": clock.today(), "term": None},
        f"gezinsplan-versie-{plan.number}.pdf",
    )
