"""Participant pages: the file, registration, editing and search. Access first, always."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from doorstroom.access import break_glass as break_glass_service
from doorstroom.access import policy as access
from doorstroom.access import redaction
from doorstroom.contacts import selectors as contact_selectors
from doorstroom.core import clock
from doorstroom.core.crypto import blind_index
from doorstroom.core.errors import DomainError
from doorstroom.core.pdf import pdf_response
from doorstroom.enrollments import selectors as enrollment_selectors
from doorstroom.enrollments import services as enrollment_services
from doorstroom.measurements import selectors as measurement_selectors
from doorstroom.organisations.models import User
from doorstroom.plans import selectors as plan_selectors
from doorstroom.plans import services as plan_services
from doorstroom.retention import selectors as retention_selectors

from . import forms, rules, selectors, services
from .models import Participant

SEARCH_LIMIT = 50
TOO_MANY_CHECKS = (
    "U hebt het afgelopen uur vaak gecontroleerd of iemand al bekend is. Probeer het later opnieuw, "
    "of vraag een klantregisseur van de gemeente om de registratie te doen."
)
CONTACT_FIELDS = ("email", "phone")
AUDIT_TRAIL_PAGE_SIZE = 50


@login_required
def participant_detail(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    """The participant file: personal data, household, team, and every enrollment with its timeline."""
    participant = access.require_participant(request.user, participant_uuid)
    reader = redaction.reader_for(request.user, participant)
    allowed, changeable = reader.categories, reader.writable
    can_change = access.Category.IDENTITY in changeable
    enrollments = redaction.enrollments_shown(
        reader,
        enrollment_selectors.enrollments_with_history(
            enrollment_ids=access.enrollment_ids_in_file(request.user, participant)
        ),
    )
    cards = [(e, enrollment_selectors.next_actions(e)) for e in enrollments]
    team = enrollment_selectors.team_of(participant)
    households = redaction.households_shown(request.user, selectors.households_of(participant))
    not_shared, director = access.not_shared_with(request.user, participant, team)
    access.note_shown(
        participant,
        [
            *([access.Category.TRAJECTORY] if cards else []),
            *(
                [access.Category.CONTACT]
                if access.Category.CONTACT in allowed and (participant.email or participant.phone)
                else []
            ),
            *([access.Category.WORK_EDUCATION] if access.Category.WORK_EDUCATION in allowed else []),
        ],
    )
    return TemplateResponse(
        request,
        "participants/participant_detail.html",
        {
            "participant": participant,
            "not_shared_labels": [str(access.Category(c).label) for c in not_shared],
            "director": director,
            "cards": cards,
            "team": team,
            "households": households,
            "can_change": can_change,
            "can_change_trajectory": access.Category.TRAJECTORY in changeable,
            "can_write_notes": access.Category.NOTES in changeable,
            "may_see": {category.name.lower(): category in allowed for category in access.Category},
            "allowed_labels": [str(c.label) for c in access.Category if c in allowed],
            "can_manage_sharing": access.can_manage_sharing(request.user, participant),
            "sharing_grants": access.sharing_grants_of(request.user, participant),
            "referrals": access.referrals_of(request.user, participant),
            "school_registrations": selectors.school_registrations_of(participant)
            if access.Category.WORK_EDUCATION in allowed
            else [],
            "compulsory_school_age": rules.is_of_compulsory_school_age(participant.date_of_birth, clock.today()),
            "can_record_school": access.Category.WORK_EDUCATION in changeable,
            "can_see_audit_trail": access.can_see_audit_trail(request.user, participant),
            "can_export": access.can_manage_sharing(request.user, participant)
            or participant.account_id == request.user.pk,
            "can_manage_team": can_change and access.can_manage_team(request.user, participant),
            "show_bsn": access.can_see_bsn(request.user, participant),
            "change_history": selectors.change_history(
                participant=participant, categories=allowed, show_bsn=access.can_see_bsn(request.user, participant)
            ),
            "language_names": [
                rules.language_name(code, locale=get_language() or "nl") for code in participant.languages
            ],
        },
    )


class DuplicateCheck(Exception):
    """A duplicate check that stops the registration: the matches the user may see, how many
    others there are, and whether the BSN was the same."""

    def __init__(self, visible: list[Participant], hidden: int, same_bsn: bool) -> None:
        super().__init__("possible duplicate")
        self.visible, self.hidden, self.same_bsn = visible, hidden, same_bsn


def _take_on(user: User, municipality: Any, data: dict[str, Any], confirmed: bool) -> Participant:
    """Register, after the duplicate check: a possible match is shown when the user may see it
    (and "it is someone else" is then believed), and otherwise only counted (a user cannot confirm
    what they were not shown). Every check that finds someone is audited."""
    try:
        with transaction.atomic():  # the registration and its audit row, or neither
            participant = enrollment_services.participant_take_on(
                actor=user, municipality=municipality, data=dict(data), confirm_not_duplicate=False
            )
            access.record_creation(user, participant)
            return participant
    except services.PossibleDuplicates as found:
        visible, hidden = access.split_by_visibility(user, found.participant_ids)
        access.record_duplicate_check(user, visible=visible, hidden=hidden)
        if not (confirmed and visible and not hidden and not found.same_bsn):
            raise DuplicateCheck(visible, hidden, found.same_bsn) from found
    with transaction.atomic():
        participant = enrollment_services.participant_take_on(
            actor=user, municipality=municipality, data=dict(data), confirm_not_duplicate=True
        )
        access.record_creation(user, participant)
    return participant


@login_required
@require_http_methods(["GET", "POST"])
def participant_create(request: access.AuthenticatedRequest) -> HttpResponse:
    municipalities = access.municipalities_for_registration(request.user)
    if not municipalities.exists():
        raise PermissionDenied
    form = forms.ParticipantCreateForm(request.POST or None, municipalities=municipalities)
    duplicates: list[Participant] = []
    hidden_duplicates = 0
    duplicate_municipality = None
    if request.method == "POST" and form.is_valid() and not access.duplicate_check_allowed(request.user):
        form.add_error(None, _(TOO_MANY_CHECKS))
    elif request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        municipality, confirmed = data.pop("municipality"), data.pop("confirm_not_duplicate")
        try:
            participant = _take_on(request.user, municipality, data, confirmed)
        except DuplicateCheck as found:
            duplicates, hidden_duplicates = found.visible, found.hidden
            duplicate_municipality = municipality
            if hidden_duplicates:
                # whom to ask, not what matched: the same words for a BSN and for a name and birth date
                form.add_error(None, _("Deze registratie kan niet worden afgerond."))
            elif found.same_bsn:
                form.add_error("bsn", _("Er is al een deelnemer met dit BSN in deze gemeente."))
            else:
                form.add_error(None, _("Er bestaat mogelijk al een dossier voor deze persoon."))
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("De deelnemer is geregistreerd. U staat in het team."))
            return redirect("participants:detail", participant_uuid=participant.uuid)
    return TemplateResponse(
        request,
        "participants/participant_form.html",
        {
            "form": form,
            "duplicates": duplicates,
            "hidden_duplicates": hidden_duplicates,
            "duplicate_municipality": duplicate_municipality,
            "nav": "create",
            "title": _("Nieuwe deelnemer registreren"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_edit(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    participant = access.require_participant(request.user, participant_uuid, access.Action.CHANGE)
    initial = {name: getattr(participant, name) for name in services.EDITABLE_FIELDS}
    initial["languages"] = list(participant.languages)
    initial["version"] = participant.version
    if not access.can_see_bsn(request.user, participant):
        initial.pop("bsn")
    form = forms.ParticipantEditForm(request.POST or None, initial=initial)
    withheld = []
    if not access.can_see_bsn(request.user, participant):
        withheld.append("bsn")
    if not access.can(request.user, participant, access.Action.CHANGE, access.Category.CONTACT):
        withheld.extend(CONTACT_FIELDS)
    if request.method == "POST" and any(request.POST.get(name) for name in withheld):
        raise PermissionDenied  # the form never offers these fields: same answer as the API
    for name in withheld:
        del form.fields[name]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        reason, is_rectification = data.pop("reason"), data.pop("is_rectification")
        try:
            services.participant_update(
                participant=participant,
                data=data,
                expected_version=version,
                actor=request.user,
                reason=reason,
                is_rectification=is_rectification,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("De gegevens zijn opgeslagen."))
            return redirect("participants:detail", participant_uuid=participant.uuid)
    return TemplateResponse(
        request,
        "participants/participant_form.html",
        {"form": form, "participant": participant, "title": _("Gegevens wijzigen")},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_search(request: access.AuthenticatedRequest) -> HttpResponse:
    """Search by name, or by the full BSN for roles with a task need for it, within the user's
    scope. The form posts, so no search term (a BSN least of all) ends up in an address or a
    server log; a BSN in the address of a GET is refused, not searched."""
    if not access.can_search(request.user):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else (request.GET if "q" in request.GET else None)
    form = forms.SearchForm(data)
    results: list[Participant] | None = None
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"].strip()
        bsn = rules.normalise_bsn(query)
        if rules.looks_like_bsn(bsn) and request.method != "POST":
            form.add_error("q", _("Zoek op BSN met het zoekformulier: een BSN hoort niet in een webadres."))
        elif rules.looks_like_bsn(bsn):
            results = access.participants_with_bsn(request.user, bsn)
        else:
            scope = access.participants_visible_to(request.user).select_related("municipality")
            results = list(selectors.named(scope, query)[:SEARCH_LIMIT])
        if results is not None:
            access.record_list(request.user, results, object_type="participant_search", search=True)
    return TemplateResponse(
        request,
        "participants/participant_search.html",
        {"form": form, "results": results, "limit": SEARCH_LIMIT, "nav": "search"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_member_create(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    """Put this participant in a household: a new one, or that of a family member the user may see."""
    participant = access.require_participant(request.user, participant_uuid, access.Action.CHANGE)
    form = forms.HouseholdMemberForm(
        request.POST or None, households=access.households_joinable(request.user, participant)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.household_add_member(
                participant=participant,
                relation=form.cleaned_data["relation"],
                household=form.cleaned_data["household"],
                name=form.cleaned_data["household_name"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Het huishouden is vastgelegd."))
            return redirect("participants:detail", participant_uuid=participant.uuid)
    return TemplateResponse(
        request,
        "participants/participant_form.html",
        {"form": form, "participant": participant, "title": _("Huishouden vastleggen")},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def school_registration_create(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    """Record a child's school registration (what the leerplicht signal looks for)."""
    participant = access.require_participant(
        request.user, participant_uuid, access.Action.CHANGE, access.Category.WORK_EDUCATION
    )
    form = forms.SchoolRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.school_register(
                participant=participant, actor=request.user, today=clock.today(), **form.cleaned_data
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("De schoolinschrijving is vastgelegd."))
            return redirect("participants:detail", participant_uuid=participant.uuid)
    return TemplateResponse(
        request,
        "participants/participant_form.html",
        {"form": form, "participant": participant, "title": _("Schoolinschrijving vastleggen")},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def sharing_grant_create(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    """The municipality records which organisation may receive which data, on which basis."""
    action = access.Action.CHANGE if request.method == "POST" else access.Action.VIEW
    participant = access.require_controller(request.user, participant_uuid, action)
    form = forms.SharingGrantForm(request.POST or None, organisations=access.referrers_for(participant))
    if request.method == "POST" and form.is_valid():
        try:
            grants = services.sharing_grant_many(
                participant=participant,
                organisation=form.cleaned_data["organisation"],
                categories=form.cleaned_data["categories"],
                legal_basis=form.cleaned_data["legal_basis"],
                on=form.cleaned_data["granted_on"],
                recorded_by=request.user,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                ngettext("De gegevensdeling is vastgelegd.", "%(count)d gegevensdelingen zijn vastgelegd.", len(grants))
                % {"count": len(grants)},
            )
            return redirect("participants:detail", participant_uuid=participant.uuid)
    return TemplateResponse(
        request,
        "participants/participant_form.html",
        {"form": form, "participant": participant, "title": _("Gegevens delen met een organisatie")},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def sharing_grant_withdraw(
    request: access.AuthenticatedRequest, participant_uuid: str, grant_uuid: str
) -> HttpResponse:
    """Withdraw a grant; the organisation loses access on its very next request."""
    participant = access.require_controller(request.user, participant_uuid)
    grant = next(
        (g for g in access.sharing_grants_of(request.user, participant) if str(g.uuid) == str(grant_uuid)), None
    )
    if grant is None:
        raise Http404
    try:
        services.sharing_withdraw(grant=grant, by=request.user)
    except DomainError as error:
        messages.error(request, error.shown)
    else:
        messages.success(request, _("De gegevensdeling is ingetrokken."))
    return redirect("participants:detail", participant_uuid=participant.uuid)


@login_required
def participant_audit_trail(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    """'Wie heeft dit dossier bekeken': every recorded look at or change of this file, in words,
    by period and organisation, a page at a time. Staff see who; the participant sees the
    organisation and the role."""
    participant = access.require_participant(request.user, participant_uuid)
    organisations = access.audit_trail_organisations(request.user, participant)
    form = forms.AuditTrailFilterForm(request.GET or None, organisations=organisations)
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events = access.audit_trail_of(
        request.user,
        participant,
        since=chosen.get("since"),
        until=chosen.get("until"),
        organisation=chosen.get("organisation") or "",
    )
    page = Paginator(events, AUDIT_TRAIL_PAGE_SIZE).get_page(request.GET.get("pagina"))
    is_participant = request.user.role == "deelnemer"
    names = {} if is_participant else access.staff_names(e.actor_id for e in page)
    words = retention_selectors.audit_words()
    rows = [
        {
            "when": event.occurred_at,
            "who": "" if is_participant else names.get(event.actor_id or 0, event.actor_username),
            "organisation": event.organisation_name,
            "role": words.codes.get(event.actor_role, event.actor_role),
            "what": event.what_happened,
            "result": event.result,
            "result_label": event.get_result_display(),
            "categories": [words.codes.get(c, c) for c in event.categories],
            "purpose": words.codes.get(event.purpose, event.purpose),
            "break_glass": event.break_glass,
        }
        for event in page
    ]
    query = request.GET.copy()
    query.pop("pagina", None)
    return TemplateResponse(
        request,
        "participants/participant_audit_trail.html",
        {
            "participant": participant,
            "rows": rows,
            "page": page,
            "form": form,
            "show_who": not is_participant,
            "query": query.urlencode(),
        },
    )


@login_required
def participant_export(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    """Everything held about this participant as JSON, for an access request (AVG art. 15)."""
    participant = access.require_export(request.user, participant_uuid)
    data = _export_data(request.user, participant)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="inzage-{participant.uuid}.json"'
    return response


@login_required
def participant_export_pdf(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    """The same access-request export as a readable PDF in plain Dutch, to take home or send."""
    participant = access.require_export(request.user, participant_uuid)
    return _export_pdf(participant, _export_data(request.user, participant))


@login_required
@require_http_methods(["GET", "POST"])
def written_access_request(request: access.AuthenticatedRequest) -> HttpResponse:
    """The privacy officer answers a written access request with the complete export (everything
    held, whoever may see what on other pages); the BSN goes in the body, never in an address."""
    if request.user.role != "privacyfunctionaris":
        raise PermissionDenied
    form = forms.WrittenAccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        bsn = rules.normalise_bsn(form.cleaned_data["bsn"])
        try:
            participant = access.require_written_access_request(
                request.user, blind_index(bsn) if bsn.isdigit() else "", form.cleaned_data["reference"]
            )
        except Http404:
            form.add_error("bsn", _("Geen dossier met dit BSN in de gemeenten waarvoor u werkt."))
        else:
            data = retention_selectors.subject_access_export(
                participant=participant,
                reader=redaction.complete_reader(participant),
                show_bsn=True,
                controller=True,
            )
            if form.cleaned_data["output"] == "json":
                response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
                response["Content-Disposition"] = f'attachment; filename="inzage-{participant.uuid}.json"'
                return response
            return _export_pdf(participant, data)
    return TemplateResponse(
        request,
        "participants/participant_form.html",
        {
            "form": form,
            "title": _("Schriftelijk inzageverzoek beantwoorden"),
            "intro": _(
                "U maakt het volledige overzicht van alles wat over deze persoon is vastgelegd, om op te sturen. "
                "Dit wordt gelogd met het kenmerk van het verzoek."
            ),
            "submit_label": _("Overzicht maken"),
        },
        status=400 if form.errors else 200,
    )


def _export_data(user: User, participant: Participant) -> dict[str, object]:
    """The export as the producer may see it: the participant's own is complete; a staff member's
    holds what they may see (the access layer's redaction)."""
    return retention_selectors.subject_access_export(
        participant=participant,
        reader=redaction.reader_for(user, participant),
        show_bsn=access.can_see_bsn(user, participant),
        controller=access.can_manage_sharing(user, participant),
        for_participant=participant.account_id is not None and participant.account_id == user.pk,
    )


def _export_pdf(participant: Participant, data: dict[str, Any]) -> HttpResponse:
    """The export as a readable document: every value of the JSON, in words, with a table of contents."""
    return pdf_response(
        "participants/access_request.pdf.html",
        {
            "sections": retention_selectors.readable_export(data),
            "complete": data.get("volledig", False),
            "participant": participant,
            "made_on": retention_selectors.local_date(clock.today()),
        },
        f"inzage-{participant.uuid}.pdf",
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_restriction(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    """Restrict processing at the participant's request, or lift the restriction (the municipality)."""
    participant = access.require_controller(request.user, participant_uuid)
    form = forms.RestrictionForm(request.POST or None)
    if request.method == "POST":
        try:
            if participant.processing_restricted_since is not None:
                services.participant_lift_restriction(participant=participant)
                messages.success(request, _("De beperking is opgeheven."))
                return redirect("participants:detail", participant_uuid=participant.uuid)
            if form.is_valid():
                services.participant_restrict(participant=participant, reason=form.cleaned_data["reason"])
                messages.success(request, _("De verwerking is beperkt. Niemand kan dit dossier nu wijzigen."))
                return redirect("participants:detail", participant_uuid=participant.uuid)
        except DomainError as error:
            form.add_domain_error(error)
    return TemplateResponse(
        request,
        "participants/participant_form.html",
        {"form": form, "participant": participant, "title": _("Verwerking beperken")},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request: access.AuthenticatedRequest) -> HttpResponse:
    """Emergency access to a file one is not involved in; reason required, three hours, reviewed."""
    if request.user.role not in access.BREAK_GLASS_ROLES:
        raise PermissionDenied
    form = forms.BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            participant = break_glass_service.break_glass_open(
                user=request.user,
                bsn=rules.normalise_bsn(form.cleaned_data["bsn"]),
                reason=form.cleaned_data["reason"],
                municipality_id=form.cleaned_data.get("municipality") or None,
            )
        except break_glass_service.WhichMunicipality as ambiguous:
            form.offer_municipalities(ambiguous.municipalities)
            form.add_domain_error(ambiguous)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.warning(request, _("Noodtoegang geopend voor drie uur. De privacyfunctionaris beoordeelt dit."))
            return redirect("participants:detail", participant_uuid=participant.uuid)
    return TemplateResponse(
        request,
        "participants/participant_form.html",
        {"form": form, "title": _("Noodtoegang")},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def break_glass_review(request: access.AuthenticatedRequest) -> HttpResponse:
    """The privacy officer reviews every emergency access."""
    if request.user.role != "privacyfunctionaris":
        raise PermissionDenied
    form = forms.BreakGlassReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            break_glass_service.break_glass_review(
                reviewer=request.user, access_id=int(request.POST.get("access", "0")), note=form.cleaned_data["note"]
            )
        except DomainError as error:
            messages.error(request, error.shown)
        except ValueError:
            messages.error(request, _("Deze noodtoegang bestaat niet."))
        else:
            messages.success(request, _("De beoordeling is opgeslagen."))
        return redirect("participants:break_glass_review")
    accesses = list(break_glass_service.break_glass_for_review(request.user)[:200])
    access.record_list(request.user, [a.participant for a in accesses], object_type="break_glass_review")
    return TemplateResponse(request, "participants/break_glass_review.html", {"accesses": accesses, "form": form})


@login_required
def own_file(request: access.AuthenticatedRequest) -> HttpResponse:
    """The participant's own view: what Doorstroom holds about them, in words addressed to them —
    their plan (to agree to), their appointments, their progress, who works with them."""
    participant = access.require_own_file(request.user)
    reader = redaction.reader_for(request.user, participant)
    plan = plan_selectors.current_plan(participant)
    shown_plan = redaction.plan_shown(reader, plan) if plan is not None else None
    today = clock.today()
    contacts = list(contact_selectors.contacts_of(participant)[:200])  # newest first
    enrollments = redaction.enrollments_shown(
        reader,
        enrollment_selectors.enrollments_with_history(
            enrollment_ids=access.enrollment_ids_in_file(request.user, participant)
        ),
    )
    return TemplateResponse(
        request,
        "participants/own_file.html",
        {
            "participant": participant,
            "plan": shown_plan,
            "upcoming": [c for c in reversed(contacts) if c.status == "gepland" and c.occurred_on >= today][:10],
            "recent": [c for c in contacts if c.status == "gehouden"][:5],
            "progress": measurement_selectors.progress_of(participant=participant, categories=reader.categories),
            "enrollments": enrollments,
            "team": participant.team.select_related("member", "organisation").filter(
                Q(ends_on__isnull=True) | Q(ends_on__gte=today)
            ),
            "nav": "caseload",
        },
    )


@login_required
@require_POST
def own_plan_agree(request: access.AuthenticatedRequest) -> HttpResponse:
    """The participant agrees to the version of their plan they just read."""
    participant = access.require_own_plan_agreement(request.user)
    version = request.POST.get("version", "")
    try:
        plan_services.plan_agree_by_participant(
            participant=participant, version_number=int(version) if version.isdigit() else -1, on=clock.today()
        )
    except DomainError as error:
        messages.error(request, error.shown)
    else:
        messages.success(request, _("Dank u. Uw akkoord met dit plan is vastgelegd."))
    return redirect("participants:own_file")
