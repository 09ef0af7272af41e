"""Retention and data-subject rights: what is due for destruction, and what is held about someone."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from doorstroom.access import redaction
from doorstroom.access.models import AuditEvent, BreakGlassAccess
from doorstroom.access.policy import Category, served_municipality_ids
from doorstroom.enrollments.models import Enrollment
from doorstroom.enrollments.selectors import OPEN_STATE_VALUES, attach_history
from doorstroom.organisations.models import Organisation, Role, User
from doorstroom.participants import selectors as participant_selectors
from doorstroom.participants.models import Participant
from doorstroom.plans import selectors as plan_selectors
from doorstroom.retention import rules
from doorstroom.retention.models import DestructionList
from doorstroom.signalering.registry import RULES

# the export as a readable document (the PDF), offered to the views with the export itself
from .readable import Words
from .readable import local_date as local_date
from .readable import readable_export as readable_export


def audit_words() -> "Words":
    """Roles, categories and purposes of the audit log in words (the trail page and the PDF)."""
    return Words()


@dataclass(frozen=True)
class DueFile:
    participant_uuid: str
    enrollment_uuids: list[str]
    programme_codes: list[str]
    last_ended_on: date
    due_on: date


def files_due_for_destruction(*, today: date, municipality_ids: set[int] | None = None) -> list[DueFile]:
    """Participants whose every enrollment is closed and past its programme's retention period;
    only those of the given municipalities when these are given."""
    scope = Enrollment.objects.all()
    if municipality_ids is not None:
        scope = scope.filter(participant__municipality_id__in=municipality_ids)
    rows = scope.values_list(
        "participant__uuid", "uuid", "ended_on", "programme__retention_years", "programme__code", "state"
    ).order_by("participant_id", "id")
    by_participant: dict[str, list[tuple]] = {}
    for row in rows.iterator(chunk_size=5000):
        by_participant.setdefault(str(row[0]), []).append(row)
    due: list[DueFile] = []
    for participant_uuid, enrollments in by_participant.items():
        # an open enrollment keeps the file, whatever its stored end date says (defence in depth)
        facts = [
            rules.ClosedEnrollment(ended_on=None if r[5] in OPEN_STATE_VALUES else r[2], retention_years=r[3])
            for r in enrollments
        ]
        day = rules.destruction_due_on(facts)
        if day is not None and day <= today:
            due.append(
                DueFile(
                    participant_uuid=participant_uuid,
                    enrollment_uuids=[str(r[1]) for r in enrollments],
                    programme_codes=sorted({r[4] for r in enrollments}),
                    last_ended_on=max(r[2] for r in enrollments),
                    due_on=day,
                )
            )
    return sorted(due, key=lambda f: (f.due_on, f.participant_uuid))


def destruction_lists_of(user: User) -> QuerySet[DestructionList]:
    """The destruction lists a records manager works on: those of the municipalities they serve."""
    if user.role != Role.RECORDS_MANAGER:
        return DestructionList.objects.none()
    return (
        DestructionList.objects.filter(municipality_id__in=served_municipality_ids(user))
        .select_related("municipality", "created_by", "approved_by")
        .annotate(
            item_count=Count("items"), destroyed_count=Count("items", filter=Q(items__destroyed_at__isnull=False))
        )
    )


def municipalities_for_destruction(user: User) -> QuerySet[Organisation]:
    if user.role != Role.RECORDS_MANAGER:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk__in=served_municipality_ids(user)).order_by("name")


#: Every model holding a participant's data, with the key it gets in the access-request export.
EXPORT_SECTIONS = {
    "participants.HouseholdMember": "huishoudens",
    "participants.SharingGrant": "gegevensdelingen",
    "enrollments.TeamAssignment": "team",
    "enrollments.Enrollment": "trajecten",
    "access.BreakGlassAccess": "noodtoegang",
    "participants.ParticipantChange": "wijzigingen",
    "measurements.Measurement": "metingen",
    "measurements.LanguageScreening": "taalscreenings",
    "contacts.ContactMoment": "contactmomenten",
    "signalering.Signal": "signalen",
    "plans.Goal": "gezinsplan",  # goals for this member in a household plan
    "referrals.Referral": "aanmeldingen",
    "participants.SchoolRegistration": "schoolinschrijvingen",
}

#: Caches computed from a kind of data in the export, for the reports (ADR 0019): they hold nothing
#: their source does not, so the export shows the source; they go with it (a cascade on the participant).
DERIVED_FROM = {"measurements.ScoreSeries": "measurements.Measurement"}


def subject_access_export(
    *,
    participant: Participant,
    reader: redaction.Reader,
    show_bsn: bool,
    controller: bool,
    for_participant: bool = False,
) -> dict[str, Any]:
    """What is held about one participant, in plain values, for an access request (AVG art. 15):
    everything for the complete export (the participant's own, or the privacy officer's answer to a
    written request), and otherwise what the staff member producing it may see, category by
    category and record by record (the access layer's redaction). `controller` adds what the
    responsible municipality keeps about the processing itself (sharing, emergency access,
    recipients, who looked). `for_participant`: the participant's own download names the
    organisations and roles that looked, not the staff members themselves."""
    sees = reader.sees
    notes = redaction.note_visible(reader)
    person = {
        field.name: _plain(getattr(participant, field.name))
        for field in participant._meta.concrete_fields
        if field.name not in {"id", "bsn_index", "account", "version"}
    }
    person["municipality"] = participant.municipality.name
    if not show_bsn:
        person["bsn"] = None
    if not sees(Category.CONTACT):
        person["email"] = person["phone"] = None
    if not reader.complete:
        person["processing_restriction_reason"] = ""
    enrollments = [
        _enrollment_row(enrollment)
        for enrollment in redaction.enrollments_shown(
            reader,
            attach_history(
                list(
                    Enrollment.objects.filter(participant=participant)
                    .select_related("programme", "current_phase")
                    .order_by("id")
                ),
                related=("actor", "phase", "target_programme"),
            ),
        )
    ]
    controller = controller or reader.complete  # sharing, emergency access and recipients
    item_categories = frozenset(reader.categories)
    return {
        "volledig": reader.complete,
        "deelnemer": person,
        "huishoudens": [
            {"huishouden": m.household.name, "relatie": m.get_relation_display()}
            for m in participant.household_memberships.select_related("household")
        ],
        "gegevensdelingen": [
            {
                "organisatie": g.organisation.name,
                "gegevens": g.get_category_display(),
                "grondslag": g.get_legal_basis_display(),
                "vanaf": _plain(g.granted_on),
                "ingetrokken_op": _plain(g.withdrawn_on),
            }
            for g in participant.sharing_grants.select_related("organisation")
        ]
        if controller
        else [],
        "team": [
            {
                "medewerker": str(a.member),
                "organisatie": a.organisation.name,
                "rol": a.get_role_display(),
                "vanaf": _plain(a.starts_on),
                "tot_en_met": _plain(a.ends_on),
            }
            for a in participant.team.select_related("member", "organisation")
        ],
        "trajecten": enrollments,
        "wijzigingen": [
            {
                "versie": entry.version,
                "wanneer": _plain(entry.changed_at),
                "wie": entry.changed_by,
                "reden": entry.reason,
                "rectificatie": entry.is_rectification,
                "waarden_voor_en_na": {f.name: [f.before, f.after] for f in entry.fields},
                "velden_niet_gedeeld": entry.hidden_fields,
            }
            for entry in reversed(
                participant_selectors.change_history(
                    participant=participant, categories=item_categories, show_bsn=show_bsn
                )
            )
        ],
        "metingen": _measurements(participant, reader) if sees(Category.MEASUREMENTS) else [],
        "plan": _plan_versions(participant, reader) if sees(Category.PLAN) else [],
        "gezinsplan": _household_goals(participant, reader) if sees(Category.PLAN) else [],
        "schoolinschrijvingen": [
            {"school": r.school, "sinds": _plain(r.starts_on), "tot": _plain(r.ends_on)}
            for r in participant.school_registrations.order_by("starts_on", "id")
        ]
        if sees(Category.WORK_EDUCATION)
        else [],
        "aanmeldingen": [
            {
                "van": r.from_organisation.name,
                "naar": r.to_organisation.name,
                "aangemeld_op": _plain(r.created_at),
                "waarom": r.reason,
                "stand": r.get_state_display(),
                "beantwoord_op": _plain(r.decided_at),
                "reden_afwijzing": r.get_decline_reason_display() if r.decline_reason else "",
                "toelichting": r.decision_note,
            }
            for r in (
                redaction.record_notes_shown(reader, referral)
                for referral in participant.referrals.select_related("from_organisation", "to_organisation").order_by(
                    "id"
                )
            )
        ]
        if sees(Category.TRAJECTORY)
        else [],
        "signalen": [
            {
                "signaal": str(RULES[sig.rule].label) if sig.rule in RULES else sig.rule,
                "toelichting": sig.detail,
                "programma": sig.programme.name if sig.programme else "",
                "stand": sig.get_state_display(),
                "geopend_op": _plain(sig.opened_on),
                "gesloten_op": _plain(sig.closed_on),
                "afhandeling": [
                    {"wat": e.get_kind_display(), "wanneer": _plain(e.at), "notitie": e.note if notes else ""}
                    for e in sig.events.all()
                ],
            }
            for sig in participant.signals.select_related("programme")
            .prefetch_related("events")
            .order_by("opened_on", "id")
            if sees(sig.category) and redaction.programme_visible(reader, sig.programme)
        ],
        "contactmomenten": [
            {
                "datum": _plain(c.occurred_on),
                "soort": c.get_kind_display(),
                "stand": c.get_status_display(),
                "aanwezigheid": c.get_attendance_display() if c.attendance else "",
                "minuten": c.minutes,
                "notitie": c.note,
                "vastgelegd_door": str(c.recorded_by),
            }
            for c in participant.contacts.select_related("recorded_by").order_by("occurred_on", "id")
        ]
        if notes
        else [],
        "taalscreenings": [
            {
                "instrument": s.get_instrument_display(),
                "datum": _plain(s.screened_on),
                "uitkomst": s.get_outcome_display(),
                "doorverwezen_naar": s.referred_to,
            }
            for s in participant.screenings.order_by("screened_on", "id")
        ]
        if sees(Category.MEASUREMENTS)
        else [],
        "noodtoegang": [
            {
                "wanneer": _plain(b.started_at),
                "wie": b.user.username,
                "reden": b.reason,
                "beoordeeld_op": _plain(b.reviewed_at),
            }
            for b in BreakGlassAccess.objects.filter(participant=participant).select_related("user")
        ]
        if controller
        else [],
        "ontvangers": recipients_of(participant) if controller else [],
        "inzage_in_dossier": [
            {
                "wanneer": _plain(e.occurred_at),
                **({} if for_participant else {"wie": e.actor_username}),
                "organisatie": e.organisation_name,
                "rol": e.actor_role,
                "wat": e.what_happened,
                "gegevens": e.categories,
                "doel": e.purpose,
            }
            for e in AuditEvent.objects.filter(subjects__participant_uuid=str(participant.uuid)).order_by("id")
        ]
        if controller
        else [],
    }


def _enrollment_row(enrollment: Enrollment) -> dict[str, Any]:
    return {
        "programma": enrollment.programme.name,
        "stand": enrollment.get_state_display(),
        "fase": enrollment.current_phase.name if enrollment.current_phase else "",
        "aangemeld_op": _plain(enrollment.referred_on),
        "afgesloten_op": _plain(enrollment.ended_on),
        "gebeurtenissen": [
            {
                "datum": _plain(event.occurred_on),
                "gebeurtenis": event.get_event_type_display(),
                "reden": event.reason_label,
                "fase": event.phase.name if event.phase else "",
                "naar_programma": event.target_programme.name if event.target_programme else "",
                "resultaten": event.outcomes,
                "toelichting": event.note,
                "niet_gedeeld": list(event.withheld),  # type: ignore[attr-defined]
                "vastgelegd_door": str(event.actor),
                "vastgelegd_op": _plain(event.recorded_at),
            }
            for event in enrollment.timeline  # type: ignore[attr-defined]
        ],
    }


def _measurements(participant: Participant, reader: redaction.Reader) -> list[dict[str, Any]]:
    """Each measurement with the scores of the items the reader may see (a health item of the ZRM
    is health data) and its notes only for a reader of notes."""
    rows = []
    for m in (
        participant.measurements.select_related("scale__measurement_type", "recorded_by")
        .prefetch_related("scores")
        .order_by("measured_on", "id")
    ):
        categories = {item.code: item.category for item in m.scale.scale_items()}
        shown = redaction.record_notes_shown(reader, m)
        rows.append(
            {
                "instrument": str(m.scale),
                "moment": m.get_moment_display(),
                "datum": _plain(m.measured_on),
                "scores": {
                    s.item: m.scale.value_label(s.value, s.item)
                    for s in m.scores.all()
                    if reader.sees(categories.get(s.item, Category.JUSTICE))
                },
                "bron": m.get_source_display() if m.source else "",
                "toelichting": shown.note,
                "andere_trede_omdat": shown.override_reason,
                "correctie_van_een_eerdere_meting": shown.correction_reason,
                "vastgelegd_door": str(m.recorded_by),
            }
        )
    return rows


def _plan_versions(participant: Participant, reader: redaction.Reader) -> list[dict[str, Any]]:
    rows = []
    for shown in redaction.plan_versions_shown(reader, plan_selectors.versions_of(participant)):
        mapping = redaction.plan_mapping(shown)
        rows.append(
            {
                "versie": shown.number,
                "opgesteld_op": _plain(shown.created_at),
                "door": str(shown.created_by),
                "akkoord_op": _plain(shown.agreed_on),
                "evaluatiedatum": _plain(shown.review_on),
                "wat_veranderde": shown.change_note,
                **(
                    {
                        "pip_besluit_op": _plain(shown.pip_decided_on),
                        "leerroute": shown.get_learning_route_display(),
                        "map": shown.map_intensity,
                        "pvt": shown.pvt_intensity,
                        "ontzorgen_tot": _plain(shown.ontzorgen_until),
                        "reden_wijziging_pip": shown.get_pip_change_reason_display(),
                    }
                    if shown.pip_decided_on
                    else {}
                ),
                "doelen": [_row(g, ("key", "member", "member_name")) for g in mapping["goals"]],
                "afspraken": [_row(a, ("key", "goal_key")) for a in mapping["agreements"]],
                "niet_gedeeld": {"doelen": shown.hidden_goals, "afspraken": shown.hidden_agreements},
            }
        )
    return rows


def _row(values: dict[str, Any], left_out: tuple[str, ...]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in values.items() if k not in left_out}


def _household_goals(participant: Participant, reader: redaction.Reader) -> list[dict[str, Any]]:
    """The participant's own goals in the plans of their households, per version (the other
    members' goals are their data, not this participant's)."""
    return [
        {
            "huishouden": household.name,
            "versie": shown.number,
            "opgesteld_op": _plain(shown.created_at),
            "doelen": [
                _row(goal, ("key", "member", "member_name"))
                for goal in redaction.plan_mapping(shown)["goals"]
                if goal["member"] == str(participant.uuid)
            ],
        }
        for household in plan_selectors.household_plans_of(participant)
        for shown in redaction.plan_versions_shown({participant.pk: reader}, plan_selectors.versions_of(household))
    ]


def recipients_of(participant: Participant) -> list[str]:
    """AVG art. 19: the organisations that received this participant's data, that is, whose staff
    were allowed to read or change it (from the audit log), besides the participant themselves."""
    names = (
        AuditEvent.objects.filter(subjects__participant_uuid=str(participant.uuid), result="allowed")
        .exclude(actor_role=Role.PARTICIPANT)
        .exclude(organisation_name="")
        .values_list("organisation_name", flat=True)
        .distinct()
    )
    return sorted(set(names))


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
