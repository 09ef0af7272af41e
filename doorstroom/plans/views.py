"""Plan pages: the current plan with its history and differences, and editing it (a new version)."""

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from doorstroom.access import policy as access
from doorstroom.access import redaction
from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.core.pdf import pdf_response

from . import forms, selectors, services


def _difference(shown: list[redaction.PlanShown], compare: str) -> list[str] | None:
    """What changed into version `compare`, as far as the reader may see it."""
    if not (compare.isdigit() and int(compare) > 1):
        return None
    number = int(compare)
    return redaction.plan_difference(
        redaction.plan_shown_by_number(shown, number - 1), redaction.plan_shown_by_number(shown, number)
    )


@login_required
def plan_detail(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    participant = access.require_participant(request.user, participant_uuid, access.Action.VIEW, access.Category.PLAN)
    reader = redaction.reader_for(request.user, participant)
    versions = redaction.plan_versions_shown(reader, selectors.versions_of(participant))
    compare = request.GET.get("versie", "")
    return TemplateResponse(
        request,
        "plans/plan_detail.html",
        {
            "participant": participant,
            "plan": versions[0] if versions else None,
            "pip": selectors.latest_pip(participant) if participant.civic_integration_duty else None,
            "versions": versions,
            "compare": int(compare) if compare.isdigit() else None,
            "difference": _difference(versions, compare),
            "term": selectors.integration_term_of(participant) if participant.civic_integration_duty else None,
            "households": selectors.household_plans_of(participant),
            "can_change": reader.may_write(access.Category.PLAN),
        },
    )


FIELD = re.compile(r"^(goals|agreements)\[(\d+)\]\.(\w+)$")


def _plan_form(
    request: access.AuthenticatedRequest, current: Any, values: dict[str, Any], writer: redaction.Reader | None
) -> forms.PlanForm:
    """The plan's own fields (version, review, agreement), filled from the current version. The
    note on what changed is free text (contacts and notes): only for who may write notes."""
    form = forms.PlanForm(
        request.POST or None,
        initial={
            "version": current.number if current else 0,
            "review_on": values["review_on"],
            # the participant agrees to one version: a new version asks for that agreement again
            "agreed_on": None,
            "agreed_how": "",
        },
    )
    if writer is None or not writer.may_write(access.Category.NOTES):
        if request.method == "POST" and request.POST.get("change_note"):
            raise PermissionDenied  # the form never offers it: same answer as the API
        del form.fields["change_note"]
    return form


def _plan_values(plan_form: forms.PlanForm) -> dict[str, Any]:
    """The plan form's values as `services.plan_save` takes them."""
    data = plan_form.cleaned_data
    return {
        "expected_version": data["version"],
        "review_on": data["review_on"],
        "agreed_on": data["agreed_on"],
        "agreed_how": data["agreed_how"],
        "change_note": data.get("change_note", ""),
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
    """Put each service error next to the field it names: a goal or agreement row, the PIP, or the top."""
    for one in getattr(error, "errors", None) or [error]:
        match = FIELD.match(one.field or "")
        if match:
            rows, formset = (goals, goal_forms) if match[1] == "goals" else (agreements, agreement_forms)
            target = formset.forms[rows[int(match[2])][0]]
            one.field = match[3]
            target.add_domain_error(one)
        elif pip_form is not None and one.field in pip_form.fields:
            pip_form.add_domain_error(one)
        else:
            if one.code == "conflict":
                one.field = None  # shown at the top, with who changed what
            plan_form.add_domain_error(one)


def _shown_difference(readers: Any, owner: Any, agreements_reader: Any = None) -> Any:
    """The lines of a conflict message this reader may see."""

    def difference(older: int, newer: int) -> list[str]:
        shown = redaction.plan_versions_shown(
            readers, selectors.versions_of(owner).filter(number__in=[older, newer]), agreements_reader=agreements_reader
        )
        return redaction.plan_difference(
            redaction.plan_shown_by_number(shown, older), redaction.plan_shown_by_number(shown, newer)
        )

    return difference


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    participant = access.require_participant(request.user, participant_uuid, access.Action.CHANGE, access.Category.PLAN)
    reader = redaction.reader_for(request.user, participant)
    editor = redaction.Reader(participant_id=participant.pk, categories=reader.writable)  # what the form may hold
    current = selectors.current_plan(participant)
    values = redaction.plan_mapping(redaction.plan_shown(editor, current) if current else None)
    plan_form = _plan_form(request, current, values, reader)
    may_decide_pip = access.may_decide_pip(request.user, participant)
    pip_form = None
    if participant.civic_integration_duty and may_decide_pip:
        # the decision date and the reason belong to one decision: a new version asks for them again
        pip_initial = {k: v for k, v in values.items() if k in ("learning_route", "map_intensity", "pvt_intensity")}
        pip_form = forms.PipForm(request.POST or None, initial=pip_initial, prefix="pip")
    domains = redaction.life_domains_writable(reader)
    data, adding_row = _with_extra_row(request)
    goal_forms = forms.GoalFormSet(data, initial=values["goals"], prefix="doelen", form_kwargs={"domains": domains})
    agreement_forms = forms.AgreementFormSet(
        data, initial=values["agreements"], prefix="afspraken", form_kwargs={"domains": domains}
    )
    saving = request.method == "POST" and not adding_row  # adding a row saves nothing: one version for all rows
    forms_valid = all(f.is_valid() for f in (plan_form, goal_forms, agreement_forms, pip_form) if f is not None)
    if saving and forms_valid:
        goals, agreements = forms.kept_rows(goal_forms), forms.kept_rows(agreement_forms)
        try:
            services.plan_save(
                participant=participant,
                actor=request.user,
                goals=[row for _, row in goals],
                agreements=[row for _, row in agreements],
                **_plan_values(plan_form),
                pip=pip_form.cleaned_data if pip_form is not None else None,
                writable_categories=reader.writable,
                may_decide_pip=may_decide_pip,
                difference=_shown_difference(reader, participant),
            )
        except DomainError as error:
            _place_error(error, plan_form, pip_form, goals, goal_forms, agreements, agreement_forms)
        else:
            messages.success(request, _("Het plan is opgeslagen als nieuwe versie."))
            return redirect("plans:detail", participant_uuid=participant.uuid)
    return TemplateResponse(
        request,
        "plans/plan_form.html",
        {
            "participant": participant,
            "plan_form": plan_form,
            "pip_form": pip_form,
            "pip_by_municipality": participant.civic_integration_duty and not may_decide_pip,
            "back_url": reverse("plans:detail", args=[participant.uuid]),
            "heading": _("Plan van aanpak van %(name)s") % {"name": participant.full_name},
            "goal_forms": goal_forms,
            "agreement_forms": agreement_forms,
            "kept_elsewhere": _kept_elsewhere(reader, current),
        },
        status=400 if saving else 200,
    )


def _with_extra_row(request: access.AuthenticatedRequest) -> tuple[Any, str]:
    """The posted plan with one more empty goal or agreement row when the user asked for one (the
    'Nog een doel' and 'Nog een afspraak' buttons), and which; otherwise the post as it is."""
    if request.method != "POST":
        return None, ""
    for button, prefix in (("add_goal", "doelen"), ("add_agreement", "afspraken")):
        if button in request.POST:
            data = request.POST.copy()
            total = f"{prefix}-TOTAL_FORMS"
            count = int(data.get(total, "0")) if str(data.get(total, "0")).isdigit() else 0
            data[total] = str(min(count + 1, 50))
            return data, prefix
    return request.POST, ""


def _kept_elsewhere(reader: redaction.Reader, current: Any) -> int:
    """How many goals and agreements the form leaves out because the reader may not change them
    (they stay in the plan as they are)."""
    if current is None:
        return 0
    editor = redaction.Reader(participant_id=reader.participant_id, categories=reader.writable)
    shown = redaction.plan_shown(editor, current)
    return shown.hidden_goals + shown.hidden_agreements


@login_required
def plan_pdf(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    """The current plan as a PDF in plain Dutch that the participant can take home: what the
    person printing it may see (the participant's own print holds everything)."""
    participant = access.require_participant(request.user, participant_uuid, access.Action.EXPORT, access.Category.PLAN)
    current = selectors.current_plan(participant)
    if current is None:
        raise Http404
    plan = redaction.plan_shown(redaction.reader_for(request.user, participant), current)
    return pdf_response(
        "plans/plan.pdf.html",
        {
            "participant": participant,
            "plan": plan,
            "pip": selectors.latest_pip(participant) if participant.civic_integration_duty else None,
            "made_on": clock.today(),
            "term": selectors.integration_term_of(participant) if participant.civic_integration_duty else None,
        },
        f"plan-van-aanpak-versie-{plan.number}.pdf",
    )


def _household_readers(
    user: Any, household: Any, members: list[Any]
) -> tuple[dict[int, redaction.Reader], redaction.Reader | None, bool]:
    """The readers of the members the user may see, the reader of the household-wide parts (only
    when that is every member), and whether it is."""
    readers = {m.pk: redaction.reader_for(user, m) for m in members}
    whole_household = len(members) == household.members.count()
    return readers, redaction.common_reader(readers.values()) if whole_household else None, whole_household


@login_required
def household_plan_detail(request: access.AuthenticatedRequest, household_uuid: str) -> HttpResponse:
    """One plan for a household supported as a whole, with goals per member; a reader sees the
    goals of the members whose plan they may see, in the categories they hold for that member,
    and the household-wide parts only when that is everyone."""
    household, members = access.require_household(request.user, household_uuid, access.Action.VIEW)
    readers, shared, whole_household = _household_readers(request.user, household, members)
    versions = redaction.plan_versions_shown(readers, selectors.versions_of(household), agreements_reader=shared)
    plan = versions[0] if versions else None
    compare = request.GET.get("versie", "")
    return TemplateResponse(
        request,
        "plans/household_plan.html",
        {
            "household": household,
            "members": members,
            "plan": plan,
            "goals": plan.goals if plan else [],
            "hidden_goals": plan.hidden_goals if plan else 0,
            "whole_household": whole_household,
            "versions": versions,
            "compare": int(compare) if compare.isdigit() else None,
            "difference": _difference(versions, compare) if whole_household else None,
            "can_change": shared is not None and shared.may_write(access.Category.PLAN),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_plan_edit(request: access.AuthenticatedRequest, household_uuid: str) -> HttpResponse:
    household, members = access.require_household(request.user, household_uuid, access.Action.CHANGE)
    readers, shared, _whole = _household_readers(request.user, household, members)
    assert shared is not None  # changing needs every member
    editors = {pk: redaction.Reader(participant_id=pk, categories=r.writable) for pk, r in readers.items()}
    shared_editor = redaction.Reader(participant_id=shared.participant_id, categories=shared.writable)
    current = selectors.current_plan(household)
    values = redaction.plan_mapping(
        redaction.plan_shown(editors, current, agreements_reader=shared_editor) if current else None
    )
    plan_form = _plan_form(request, current, values, shared)
    domains = redaction.life_domains_writable(shared)
    data, adding_row = _with_extra_row(request)
    goal_forms = forms.HouseholdGoalFormSet(
        data,
        initial=values["goals"],
        prefix="doelen",
        form_kwargs={"members": members, "domains": domains},
    )
    agreement_forms = forms.AgreementFormSet(
        data, initial=values["agreements"], prefix="afspraken", form_kwargs={"domains": domains}
    )
    saving = request.method == "POST" and not adding_row
    if saving and all(f.is_valid() for f in (plan_form, goal_forms, agreement_forms)):
        goals, agreements = forms.kept_rows(goal_forms), forms.kept_rows(agreement_forms)
        try:
            services.plan_save(
                household=household,
                actor=request.user,
                goals=[row for _, row in goals],
                agreements=[row for _, row in agreements],
                **_plan_values(plan_form),
                writable_categories=shared.writable,
                difference=_shown_difference(readers, household, shared),
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
        status=400 if saving else 200,
    )


@login_required
def household_plan_pdf(request: access.AuthenticatedRequest, household_uuid: str) -> HttpResponse:
    """The household plan as a PDF for the family: every member's goals, so only for someone who
    may export the plan of each member, and then what they may see of each."""
    household, members = access.require_household(request.user, household_uuid, access.Action.EXPORT)
    current = selectors.current_plan(household)
    if current is None:
        raise Http404
    readers, shared, _whole = _household_readers(request.user, household, members)
    plan = redaction.plan_shown(readers, current, agreements_reader=shared)
    return pdf_response(
        "plans/plan.pdf.html",
        {"household": household, "plan": plan, "made_on": clock.today(), "term": None, "pip": None},
        f"gezinsplan-versie-{plan.number}.pdf",
    )
