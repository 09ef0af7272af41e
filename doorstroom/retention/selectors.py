"""Retention and data-subject rights: what is due for destruction, and what is held about someone."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from doorstroom.access.models import AuditEvent, BreakGlassAccess
from doorstroom.access.policy import served_municipality_ids
from doorstroom.enrollments.models import Enrollment
from doorstroom.enrollments.selectors import OPEN_STATE_VALUES
from doorstroom.organisations.models import Organisation, Role, User
from doorstroom.participants.models import Participant
from doorstroom.plans import selectors as plan_selectors
from doorstroom.retention import rules
from doorstroom.retention.models import DestructionList


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


def subject_access_export(*, participant: Participant) -> dict[str, Any]:
    """Everything held about one participant, in plain values, for an access request (AVG art. 15)."""
    person = {
        field.name: _plain(getattr(participant, field.name))
        for field in participant._meta.concrete_fields
        if field.name not in {"id", "bsn_index", "account", "version"}
    }
    person["municipality"] = participant.municipality.name
    enrollments = []
    for enrollment in participant.enrollments.select_related("programme", "current_phase").order_by("id"):
        events = [
            {
                "datum": _plain(event.occurred_on),
                "gebeurtenis": event.get_event_type_display(),
                "reden": event.reason_label,
                "fase": event.phase.name if event.phase else "",
                "resultaten": event.outcomes,
                "toelichting": event.note,
                "vastgelegd_door": str(event.actor),
                "vastgelegd_op": _plain(event.recorded_at),
            }
            for event in enrollment.events.select_related("actor", "phase").order_by("occurred_on", "id")
        ]
        enrollments.append(
            {
                "programma": enrollment.programme.name,
                "stand": enrollment.get_state_display(),
                "fase": enrollment.current_phase.name if enrollment.current_phase else "",
                "aangemeld_op": _plain(enrollment.referred_on),
                "afgesloten_op": _plain(enrollment.ended_on),
                "gebeurtenissen": events,
            }
        )
    return {
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
        ],
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
                "versie": c.version,
                "wanneer": _plain(c.changed_at),
                "wie": c.changed_by.get_full_name() if c.changed_by else "",
                "reden": c.reason,
                "rectificatie": c.is_rectification,
                "waarden_voor_en_na": c.before_after,
            }
            for c in participant.changes.select_related("changed_by").order_by("version")
        ],
        "metingen": [
            {
                "instrument": str(m.scale),
                "moment": m.get_moment_display(),
                "datum": _plain(m.measured_on),
                "scores": {s.item: m.scale.value_label(s.value, s.item) for s in m.scores.all()},
                "bron": m.get_source_display() if m.source else "",
                "toelichting": m.note,
                "andere_trede_omdat": m.override_reason,
                "correctie_van_een_eerdere_meting": m.correction_reason,
                "vastgelegd_door": str(m.recorded_by),
            }
            for m in participant.measurements.select_related("scale__measurement_type", "recorded_by")
            .prefetch_related("scores")
            .order_by("measured_on", "id")
        ],
        "plan": _plan_versions(participant),
        "gezinsplan": _household_goals(participant),
        "schoolinschrijvingen": [
            {"school": r.school, "sinds": _plain(r.starts_on), "tot": _plain(r.ends_on)}
            for r in participant.school_registrations.order_by("starts_on", "id")
        ],
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
            for r in participant.referrals.select_related("from_organisation", "to_organisation").order_by("id")
        ],
        "signalen": [
            {
                "signaal": sig.rule,
                "toelichting": sig.detail,
                "stand": sig.get_state_display(),
                "geopend_op": _plain(sig.opened_on),
                "gesloten_op": _plain(sig.closed_on),
                "afhandeling": [
                    {"wat": e.get_kind_display(), "wanneer": _plain(e.at), "notitie": e.note} for e in sig.events.all()
                ],
            }
            for sig in participant.signals.prefetch_related("events").order_by("opened_on", "id")
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
        ],
        "taalscreenings": [
            {
                "instrument": s.get_instrument_display(),
                "datum": _plain(s.screened_on),
                "uitkomst": s.get_outcome_display(),
                "doorverwezen_naar": s.referred_to,
            }
            for s in participant.screenings.order_by("screened_on", "id")
        ],
        "noodtoegang": [
            {
                "wanneer": _plain(b.started_at),
                "wie": b.user.username,
                "reden": b.reason,
                "beoordeeld_op": _plain(b.reviewed_at),
            }
            for b in BreakGlassAccess.objects.filter(participant=participant).select_related("user")
        ],
        "ontvangers": recipients_of(participant),
        "inzage_in_dossier": [
            {
                "wanneer": _plain(e.occurred_at),
                "wie": e.actor_username,
                "organisatie": e.organisation_name,
                "rol": e.actor_role,
                "wat": e.get_action_display(),
                "gegevens": e.categories,
                "doel": e.purpose,
            }
            for e in AuditEvent.objects.filter(subjects__participant_uuid=str(participant.uuid)).order_by("id")
        ],
    }


def _plan_versions(participant: Participant) -> list[dict[str, Any]]:

    return [
        {
            "versie": version.number,
            "opgesteld_op": _plain(version.created_at),
            "door": str(version.created_by),
            "akkoord_op": _plain(version.agreed_on),
            "evaluatiedatum": _plain(version.review_on),
            **(
                {
                    "pip_besluit_op": _plain(version.pip_decided_on),
                    "leerroute": version.get_learning_route_display(),
                    "map": version.map_intensity,
                    "pvt": version.pvt_intensity,
                    "ontzorgen_tot": _plain(version.ontzorgen_until),
                    "reden_wijziging_pip": version.get_pip_change_reason_display(),
                }
                if version.pip_decided_on
                else {}
            ),
            **{
                key: [{k: _plain(v) for k, v in row.items() if k not in ("key", "goal_key")} for row in rows]
                for key, rows in (
                    ("doelen", plan_selectors.as_mapping(version)["goals"]),
                    ("afspraken", plan_selectors.as_mapping(version)["agreements"]),
                )
            },
        }
        for version in plan_selectors.versions_of(participant)
    ]


def _household_goals(participant: Participant) -> list[dict[str, Any]]:
    """The participant's own goals in the plans of their households, per version (the other
    members' goals are their data, not this participant's)."""
    return [
        {
            "huishouden": household.name,
            "versie": version.number,
            "opgesteld_op": _plain(version.created_at),
            "doelen": [
                {k: _plain(v) for k, v in goal.items() if k not in ("key", "member", "member_name")}
                for goal in plan_selectors.as_mapping(version)["goals"]
                if goal["member"] == str(participant.uuid)
            ],
        }
        for household in plan_selectors.household_plans_of(participant)
        for version in plan_selectors.versions_of(household)
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
