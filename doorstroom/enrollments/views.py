"""Pages for the caseload, enrolment and lifecycle steps. Access first, then services/selectors."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from doorstroom.access import policy as access
from doorstroom.access import redaction
from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.signalering import selectors as signal_selectors

from . import forms, selectors, services
from .models import EventType


@login_required
def caseload(request: access.AuthenticatedRequest) -> HttpResponse:
    """'Mijn deelnemers': the people the user works with, their programme, phase and last step.
    A participant is taken to their own file instead."""
    own_file = access.own_file_of(request.user)
    if own_file is not None:
        return redirect("participants:own_file")
    user = request.user
    # only the programmes of the reader's own caseload, as far as they may see them (a sensitive
    # programme's name appears only where its membership is visible)
    programmes = list(access.programmes_on_caseload(user))
    colleagues = list(access.colleagues_for_reassignment(user))
    filter_form = forms.CaseloadFilterForm(
        request.GET or None,
        programmes=programmes,
        phases=selectors.phases_of(programmes),
        signal_rules=signal_selectors.rule_choices(),
        colleagues=colleagues,
    )
    chosen = filter_form.cleaned_data if filter_form.is_bound and filter_form.is_valid() else {}
    colleague = next((c for c in colleagues if c.pk == chosen.get("medewerker")), None)
    signal_rule = chosen.get("signaal") or ""
    # the page's facts once, for every question the page asks about its people
    involvements: dict[int, access.Involvement] = {}

    def open_enrollments_of(people: list[Any]) -> list[Any]:
        involvements.update(access.involvements_of(user, people))
        return access.open_enrollments_shown(
            user, people, involvements, programme_id=chosen.get("programma"), phase_id=chosen.get("fase")
        )

    caseload = selectors.caseload_page(
        participants=access.participants_on_caseload(user),
        enrollments=lambda: access.enrollments_visible_to(user),
        open_enrollments_of=open_enrollments_of,
        today=clock.today(),
        page_number=request.GET.get("pagina", 1),
        narrowed=selectors.CaseloadFilter(
            programme_id=chosen.get("programma"),
            phase_id=chosen.get("fase"),
            with_signal=access.signals_visible_to(user).filter(rule=signal_rule).values("participant_id")
            if signal_rule
            else None,
            of_colleague=access.caseload_of_colleague(user, colleague) if colleague else None,
            search=chosen.get("zoek") or "",
            sort=chosen.get("sorteer") or "naam",
        ),
    )
    query = request.GET.copy()
    query.pop("pagina", None)
    access.record_list(request.user, caseload.page.object_list, object_type="caseload")
    may_record = access.allowed_among(request.user, involvements, access.Action.CHANGE, access.Category.NOTES)
    signal_counts = access.signal_counts_of(request.user, caseload.page.object_list, involvements)
    for row in caseload.rows:
        row.signal_count = signal_counts.get(row.participant.pk, 0)
    return TemplateResponse(
        request,
        "enrollments/caseload.html",
        {
            "rows": caseload.rows,
            "page": caseload.page,
            "filter_form": filter_form,
            "filtered": any(chosen.get(k) for k in ("zoek", "programma", "fase", "signaal", "medewerker")),
            "query": query.urlencode(),
            "nav": "caseload",
            "may_record_contact": may_record,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrollment_create(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    participant = access.require_participant(request.user, participant_uuid, access.Action.CHANGE)
    programmes = access.programmes_usable_by(request.user)
    notes_allowed = redaction.reader_for(request.user, participant).may_write(access.Category.NOTES)
    form = forms.EnrolForm(
        request.POST or None,
        programmes=programmes,
        referrers=access.referrers_for(participant),
        initial={"referred_by": request.user.organisation},
        notes_allowed=notes_allowed,
    )
    if request.method == "POST" and request.POST.get("note") and not notes_allowed:
        raise PermissionDenied  # the form never offers it: same answer as the API
    if request.method == "POST" and form.is_valid():
        try:
            services.enrollment_enrol(
                participant=participant,
                programme=form.cleaned_data["programme"],
                group=form.cleaned_data["group"],
                actor=request.user,
                referred_by=form.cleaned_data["referred_by"],
                on=form.cleaned_data["occurred_on"],
                note=form.cleaned_data.get("note", ""),
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("De aanmelding is opgeslagen."))
            return redirect("participants:detail", participant_uuid=participant.uuid)
    return TemplateResponse(
        request,
        "enrollments/enrollment_form.html",
        {"form": form, "participant": participant},
        status=400 if form.errors else 200,
    )


def _card(request: access.AuthenticatedRequest, enrollment_uuid: str, *, saved: bool = False) -> HttpResponse:
    enrollment = access.require_enrollment(request.user, enrollment_uuid)
    reader = redaction.reader_for(request.user, enrollment.participant)
    [full] = redaction.enrollments_shown(
        reader,
        selectors.enrollments_with_history(
            enrollment_ids=[
                pk for pk in access.enrollment_ids_in_file(request.user, enrollment.participant) if pk == enrollment.pk
            ]
        ),
    )
    return TemplateResponse(
        request,
        "enrollments/enrollment_card.html#card",
        {
            "enrollment": full,
            "participant": enrollment.participant,
            "can_change": reader.may_write(access.Category.TRAJECTORY),
            "can_write_notes": reader.may_write(access.Category.NOTES),
            "next_actions": selectors.next_actions(full),
            "saved": saved,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrollment_event_create(
    request: access.AuthenticatedRequest, enrollment_uuid: str, event_type: str
) -> HttpResponse:
    """Record one lifecycle step; with HTMX the form and the result replace the enrollment card."""
    enrollment = access.require_enrollment(request.user, enrollment_uuid, access.Action.CHANGE)
    if event_type not in EventType.values or event_type in (EventType.REFERRED, EventType.CORRECTED):
        raise Http404
    programmes = access.programmes_usable_by(request.user).exclude(pk=enrollment.programme_id)
    writer = redaction.reader_for(request.user, enrollment.participant)
    form = forms.EventForm(
        request.POST or None,
        event_type=event_type,
        enrollment=enrollment,
        programmes=programmes,
        reason_allowed=lambda step, code: writer.may_write(redaction.reason_category(step, code)),
        notes_allowed=writer.may_write(access.Category.NOTES),
    )
    if request.method == "POST" and request.POST.get("note") and "note" not in form.fields:
        raise PermissionDenied  # the form never offers it: same answer as the API
    if request.htmx:  # the form replaces the buttons: put keyboard focus in it
        next(iter(form.visible_fields())).field.widget.attrs["autofocus"] = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if event_type == EventType.TRANSFERRED:
                services.enrollment_transfer(
                    enrollment=enrollment,
                    actor=request.user,
                    target_programme=data["target_programme"],
                    on=data["occurred_on"],
                    note=data.get("note", ""),
                    reason_code=data.get("reason_code", ""),
                    expected_version=data["version"],
                )
            else:
                services.enrollment_record(
                    enrollment=enrollment,
                    actor=request.user,
                    event_type=event_type,
                    on=data["occurred_on"],
                    note=data.get("note", ""),
                    reason_code=data.get("reason_code", ""),
                    phase=data.get("phase"),
                    outcomes=data.get("outcomes", ()),
                    expected_version=data["version"],
                )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            if request.htmx:
                return _card(request, enrollment_uuid, saved=True)
            messages.success(request, _("De stap is opgeslagen."))
            return redirect("participants:detail", participant_uuid=enrollment.participant.uuid)
    context = {
        "form": form,
        "enrollment": enrollment,
        "participant": enrollment.participant,
        "event_label": EventType(event_type).label,
    }
    status = 400 if form.errors else 200
    if request.htmx:
        response = TemplateResponse(request, "enrollments/event_form.html#event-form", context)
        if form.errors:  # htmx swaps only 2xx: show the errors in place of the form
            response["HX-Retarget"] = f"#event-form-{enrollment.uuid}"
            response["HX-Reswap"] = "outerHTML"
        return response
    return TemplateResponse(request, "enrollments/event_form.html", context, status=status)


@login_required
def enrollment_card(request: access.AuthenticatedRequest, enrollment_uuid: str) -> HttpResponse:
    """The enrollment card alone (HTMX 'cancel' restores it)."""
    return _card(request, enrollment_uuid)


@login_required
@require_POST
def enrollment_event_correct(request: access.AuthenticatedRequest, enrollment_uuid: str) -> HttpResponse:
    enrollment = access.require_enrollment(request.user, enrollment_uuid, access.Action.CHANGE)
    if not redaction.reader_for(request.user, enrollment.participant).may_write(access.Category.NOTES):
        raise PermissionDenied  # a correction is explained in a note (contacts and notes)
    form = forms.CorrectionForm(request.POST)
    if form.is_valid():
        wrong = enrollment.events.filter(uuid=form.cleaned_data["event"]).first()
        if wrong is None:
            raise Http404
        try:
            services.enrollment_correct(
                enrollment=enrollment,
                actor=request.user,
                wrong_event=wrong,
                reason=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            messages.error(request, error.shown)
        else:
            messages.success(request, _("De gebeurtenis is gecorrigeerd. De tijdlijn laat beide zien."))
    else:
        messages.error(request, _("Geef aan waarom de gebeurtenis niet klopt."))
    return redirect("participants:detail", participant_uuid=enrollment.participant.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def team_assignment_create(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    participant = access.require_participant(request.user, participant_uuid, access.Action.CHANGE)
    if not access.can_manage_team(request.user, participant):
        raise PermissionDenied
    form = forms.TeamAssignmentForm(request.POST or None, candidates=access.team_candidates(participant))
    if request.method == "POST" and form.is_valid():
        try:
            services.team_assign(
                participant=participant,
                member=form.cleaned_data["member"],
                role=form.cleaned_data["role"],
                starts_on=form.cleaned_data["starts_on"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Het teamlid is toegevoegd."))
            return redirect("participants:detail", participant_uuid=participant.uuid)
    return TemplateResponse(
        request,
        "enrollments/team_form.html",
        {"form": form, "participant": participant},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def team_assignment_end(
    request: access.AuthenticatedRequest, participant_uuid: str, assignment_uuid: str
) -> HttpResponse:
    """End someone's place on the team as of today."""
    participant = access.require_participant(request.user, participant_uuid, access.Action.CHANGE)
    if not access.can_manage_team(request.user, participant):
        raise PermissionDenied
    assignment = selectors.team_assignment_of(participant=participant, assignment_uuid=assignment_uuid)
    if assignment is None:
        raise Http404
    try:
        services.team_assignment_end(assignment=assignment, on=clock.today())
    except DomainError as error:
        messages.error(request, error.shown)
    else:
        messages.success(request, _("Het teamlid is uit het team gehaald. De geschiedenis blijft bewaard."))
    return redirect("participants:detail", participant_uuid=participant.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def director_handover(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    """Hand over direction (regie) to another case director, for the whole household."""
    participant = access.require_participant(request.user, participant_uuid, access.Action.CHANGE)
    if not access.can_manage_team(request.user, participant):
        raise PermissionDenied
    candidates = access.team_candidates(participant).filter(role="klantregisseur")
    form = forms.DirectorHandoverForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.director_handover(
                participant=participant, new_director=form.cleaned_data["new_director"], on=form.cleaned_data["on"]
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("De regie is overgedragen."))
            return redirect("participants:detail", participant_uuid=participant.uuid)
    return TemplateResponse(
        request,
        "enrollments/handover_form.html",
        {"form": form, "participant": participant},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def caseload_reassign(request: access.AuthenticatedRequest) -> HttpResponse:
    """A team lead moves a leaving colleague's caseload, or part of it, in one action."""
    colleagues = access.colleagues_for_reassignment(request.user)
    if not colleagues.exists():
        raise PermissionDenied
    asked = str(request.POST.get("leaving") or request.GET.get("leaving") or "")
    leaving = colleagues.filter(pk=int(asked)).first() if asked.isdigit() else None
    caseload = access.caseload_of_colleague(request.user, leaving) if leaving else None
    form = forms.CaseloadReassignForm(
        request.POST or None, colleagues=colleagues, caseload=caseload, initial={"leaving": leaving}
    )
    if caseload is not None:
        access.record_list(request.user, list(caseload[:500]), object_type="caseload_reassign")
    if request.method == "POST" and form.is_valid():
        chosen = [p.pk for p in form.cleaned_data["participants"]]
        try:
            moved = services.caseload_reassign(
                actor=request.user,
                leaving=form.cleaned_data["leaving"],
                taking_over=form.cleaned_data["taking_over"],
                on=form.cleaned_data["on"],
                participant_ids=chosen or None,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("%(count)s toewijzingen overgedragen.") % {"count": moved})
            return redirect("enrollments:caseload_reassign")
    return TemplateResponse(
        request,
        "enrollments/reassign_form.html",
        {"form": form, "leaving": leaving},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrollment_tags(request: access.AuthenticatedRequest, enrollment_uuid: str) -> HttpResponse:
    """Which contexts and mechanisms apply to a trajectory (for "what works for whom" in the reports)."""
    enrollment = access.require_enrollment(request.user, enrollment_uuid, access.Action.CHANGE)
    live = selectors.live_tag_codes(enrollment)
    form = forms.TagsForm(request.POST or None, choices=selectors.context_tag_choices(), initial={"tags": sorted(live)})
    if request.method == "POST" and form.is_valid():
        try:
            services.enrollment_tags_set(
                enrollment=enrollment, actor=request.user, codes=form.cleaned_data["tags"], on=form.cleaned_data["on"]
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("De werkwijze van dit traject is opgeslagen."))
            return redirect("participants:detail", participant_uuid=enrollment.participant.uuid)
    return TemplateResponse(
        request,
        "enrollments/tags_form.html",
        {"form": form, "enrollment": enrollment, "participant": enrollment.participant},
        status=400 if form.errors else 200,
    )
