"""The built-in signal rules: each finds, for everyone at once, who meets its condition today
(one or two queries per rule, whatever the caseload), and the reads for the signal pages."""

from collections.abc import Callable, Collection, Hashable, Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from doorstroom.contacts import rules as contact_rules
from doorstroom.contacts.models import ContactMoment
from doorstroom.core import prepared, touched
from doorstroom.enrollments.models import Enrollment
from doorstroom.enrollments.rules import OPEN_STATES
from doorstroom.participants import rules as participant_rules
from doorstroom.participants.models import DataCategory, Participant, SchoolRegistration
from doorstroom.plans.models import Agreement, Plan

from .models import LIVE_STATES, Signal
from .registry import Finding, SignalRule, Thresholds, register

OPEN = [s.value for s in OPEN_STATES]


def _among(queryset: QuerySet, among: list[int] | None, field: str) -> QuerySet:
    """Limit a rule's query to some participants, or not at all."""
    return queryset if among is None else queryset.filter(**{f"{field}__in": among})


def _rows_by_any(
    key: Hashable,
    among: Collection[int] | None,
    base: Callable[[], QuerySet],
    fields: tuple[str, ...],
    columns: tuple[str, ...],
) -> list[Any]:
    """The rows of `base` that name one of the participants in any of several ways (own, or as a
    household member): first the rows each way finds, by index, then those rows; one OR over the
    joins made the database scan every row."""
    if among is None:
        return list(base().values_list(*columns))
    found: set[int] = set()
    for field in fields:

        def by(ids: list[int], field: str = field) -> QuerySet:
            return base().filter(**{f"{field}__in": ids}).values_list("pk")

        found.update(pk for (pk,) in prepared.rows((key, field), by, among))
    return prepared.rows((key, columns), lambda pks: base().filter(pk__in=pks).values_list(*columns), found)


def no_recent_contact(today: date, thresholds: Thresholds, among: Collection[int] | None = None) -> Iterable[Finding]:
    """No held contact the participant attended for more than N days (counted from the start of
    the trajectory when there was none yet)."""
    rows = prepared.rows(
        "geen_contact",
        lambda ids: (
            _among(Enrollment.objects.filter(state__in=OPEN, paused_since__isnull=True), ids, "participant_id")
            .annotate(
                last_contact=Max(
                    "participant__contacts__occurred_on",
                    filter=Q(
                        participant__contacts__status=contact_rules.HELD,
                        participant__contacts__attendance=contact_rules.ATTENDED,
                    ),
                )
            )
            .values_list("participant_id", "programme_id", "referred_on", "last_contact")
        ),
        among,
    )
    found: dict[int, str] = {}
    for participant_id, programme_id, referred_on, last_contact in rows:
        days = thresholds.for_programme(programme_id)
        since = last_contact or referred_on
        if since is not None and (today - since).days > days:
            found[participant_id] = f"Laatste contact: {last_contact:%d-%m-%Y}" if last_contact else "Nog geen contact"
    return [(pid, "", detail) for pid, detail in found.items()]


def repeated_no_shows(today: date, thresholds: Thresholds, among: Collection[int] | None = None) -> Iterable[Finding]:
    """Two (or the threshold) or more no-shows in the last four weeks."""
    rows = prepared.rows(
        ("niet_verschenen", today, thresholds.default),
        lambda ids: (
            _among(
                ContactMoment.objects.filter(
                    attendance=contact_rules.NO_SHOW, occurred_on__gt=today - timedelta(days=28)
                ),
                ids,
                "participant_id",
            )
            .values("participant_id")
            .annotate(count=Count("id"))
            .filter(count__gte=thresholds.default)
            .values_list("participant_id", "count")
        ),
        among,
    )
    return [(pid, "", f"{count} keer niet verschenen in vier weken") for pid, count in rows]


def plan_review_passed(today: date, thresholds: Thresholds, among: Collection[int] | None = None) -> Iterable[Finding]:
    """The plan's review date has passed; a household plan's shows on every member."""
    rows = _rows_by_any(
        ("evaluatie_verlopen", today, thresholds.default),
        among,
        lambda: Plan.objects.filter(current__review_on__lt=today - timedelta(days=thresholds.default)),
        ("participant_id", "household__members__participant_id"),
        ("participant_id", "household__members__participant_id", "current__review_on"),
    )
    return [
        (own or member, "" if own else "gezinsplan", f"Evaluatiedatum{'' if own else ' gezinsplan'} was {day:%d-%m-%Y}")
        for own, member, day in rows
        if own or member
    ]


def agreement_overdue(today: date, thresholds: Thresholds, among: Collection[int] | None = None) -> Iterable[Finding]:
    """An agreement of the current plan still open after its date (the subject is the agreement,
    which keeps its key across plan versions); one in a household plan shows on every member."""
    rows = _rows_by_any(
        ("afspraak_verlopen", today, thresholds.default),
        among,
        lambda: Agreement.objects.filter(
            plan_version_id=F("plan_version__plan__current_id"),
            status="open",
            due_on__lt=today - timedelta(days=thresholds.default),
        ),
        ("plan_version__plan__participant_id", "plan_version__plan__household__members__participant_id"),
        (
            "plan_version__plan__participant_id",
            "plan_version__plan__household__members__participant_id",
            "key",
            "due_on",
        ),
    )
    return [
        (own or member, str(key), f"Afspraak was klaar op {due:%d-%m-%Y}")
        for own, member, key, due in rows
        if own or member
    ]


def phase_overdue(today: date, thresholds: Thresholds, among: Collection[int] | None = None) -> Iterable[Finding]:
    """Longer in the current phase than the programme expects (paused days not counted)."""
    rows = prepared.rows(
        "fase_te_lang",
        lambda ids: _among(
            Enrollment.objects.filter(
                state__in=OPEN,
                current_phase__isnull=False,
                current_phase__expected_weeks__isnull=False,
                phase_entered_on__isnull=False,
            ),
            ids,
            "participant_id",
        ).values_list(
            "participant_id",
            "uuid",
            "programme_id",
            "phase_entered_on",
            "paused_days_in_phase",
            "paused_since",
            "current_phase__expected_weeks",
        ),
        among,
    )
    found: list[Finding] = []
    for pid, uuid, programme_id, entered, paused_days, paused_since, expected in rows:
        if entered is None or expected is None:
            continue
        days = (today - entered).days - paused_days - ((today - paused_since).days if paused_since else 0)
        if days // 7 > expected + thresholds.for_programme(programme_id):
            detail = f"{days // 7} weken in de huidige fase (verwacht {expected})"
            found.append((pid, str(uuid), detail, programme_id))
    return found


def no_pip_adopted(today: date, thresholds: Thresholds, among: Collection[int] | None = None) -> Iterable[Finding]:
    """Someone with a civic-integration duty without an adopted PIP (a plan version with a decision
    date) ten weeks (the threshold, in days) after their first referral."""

    def query(ids: list[int] | None) -> QuerySet:
        adopted = _among(Plan.objects.filter(versions__pip_decided_on__isnull=False), ids, "participant_id").values(
            "participant_id"
        )
        still_guided = _among(Enrollment.objects.filter(state__in=OPEN), ids, "participant_id").values("participant_id")
        with_duty = Enrollment.objects.filter(participant__civic_integration_duty=True, participant_id__in=still_guided)
        return (
            _among(with_duty, ids, "participant_id")
            .exclude(participant_id__in=adopted)
            .values("participant_id")
            .annotate(first=Min("referred_on"))
            .filter(first__lt=today - timedelta(days=thresholds.default))
            .values_list("participant_id", "first")
        )

    rows = prepared.rows(("pip_ontbreekt", today, thresholds.default), query, among)
    return [(pid, "", f"Aangemeld op {first:%d-%m-%Y}, nog geen vastgesteld PIP") for pid, first in rows]


register(
    SignalRule(
        "geen_contact",
        _("Lang geen contact"),
        DataCategory.NOTES,
        21,
        _("dagen"),
        no_recent_contact,
        reads=frozenset({touched.CONTACTS, touched.ENROLLMENTS}),
    )
)
register(
    SignalRule(
        "niet_verschenen",
        _("Vaker niet verschenen"),
        DataCategory.NOTES,
        2,
        _("keer in vier weken"),
        repeated_no_shows,
        reads=frozenset({touched.CONTACTS}),
    )
)
register(
    SignalRule(
        "evaluatie_verlopen",
        _("Evaluatie van het plan is verlopen"),
        DataCategory.PLAN,
        0,
        _("dagen na de datum"),
        plan_review_passed,
        reads=frozenset({touched.PLANS, touched.HOUSEHOLDS}),
    )
)
register(
    SignalRule(
        "afspraak_verlopen",
        _("Afspraak niet op tijd"),
        DataCategory.PLAN,
        0,
        _("dagen na de datum"),
        agreement_overdue,
        reads=frozenset({touched.PLANS, touched.HOUSEHOLDS}),
    )
)
register(
    SignalRule(
        "fase_te_lang",
        _("Langer in de fase dan verwacht"),
        DataCategory.TRAJECTORY,
        0,
        _("weken speling"),
        phase_overdue,
        reads=frozenset({touched.ENROLLMENTS}),
    )
)


def school_age_child_without_school(
    today: date, thresholds: Thresholds, among: Collection[int] | None = None
) -> Iterable[Finding]:
    """A child of compulsory school age (leerplicht) in a household where someone is in a
    trajectory, with no school registration running today (or ended less than the threshold in
    days ago). One query for the candidates (born in the window that can be of school age); the
    exact leerplicht period is the pure rule."""
    supported = Enrollment.objects.filter(state__in=OPEN).values("participant_id")
    registered = SchoolRegistration.objects.filter(participant=OuterRef("pk"), starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today - timedelta(days=thresholds.default))
    )
    rows = prepared.rows(
        ("leerplichtig_zonder_school", today, thresholds.default),
        lambda ids: (
            _among(Participant.objects.all(), ids, "pk")
            .filter(
                date_of_birth__gt=today - timedelta(days=366 * 18),
                date_of_birth__lte=today - timedelta(days=365 * 5),
                household_memberships__household__members__participant_id__in=supported,
            )
            .exclude(Exists(registered))
            .values_list("pk", "date_of_birth")
            .distinct()
        ),
        among,
    )
    return [
        (pid, "", "Leerplichtig, geen schoolinschrijving vastgelegd")
        for pid, born in rows
        if participant_rules.is_of_compulsory_school_age(born, today)
    ]


register(
    SignalRule(
        "leerplichtig_zonder_school",
        _("Leerplichtig kind zonder school"),
        DataCategory.WORK_EDUCATION,
        0,
        _("dagen na uitschrijving"),
        school_age_child_without_school,
        reads=frozenset({touched.PERSON, touched.HOUSEHOLDS, touched.ENROLLMENTS, touched.SCHOOL}),
    )
)
register(
    SignalRule(
        "pip_ontbreekt",
        _("Nog geen PIP na tien weken"),
        DataCategory.PLAN,
        70,
        _("dagen"),
        no_pip_adopted,
        reads=frozenset({touched.PERSON, touched.ENROLLMENTS, touched.PLANS}),
    )
)


def live_signals() -> QuerySet[Signal]:
    return Signal.objects.filter(state__in=LIVE_STATES)


def signal_by_uuid(signal_uuid: str) -> Signal | None:
    return Signal.objects.filter(uuid=signal_uuid).select_related("participant").first()


def signals_for(
    participant_ids_by_category: dict[str, QuerySet], sensitive_visible: Q | None = None
) -> QuerySet[Signal]:
    """Live signals on the participants the reader may see, per category, and about a sensitive
    programme only where `sensitive_visible` holds for the signal (the caller passes the access
    layer's querysets and condition)."""
    visible = Q(pk__in=[])
    for category, participants in participant_ids_by_category.items():
        visible |= Q(category=category, participant__in=participants)
    programme_ok = Q(programme__isnull=True) | Q(programme__is_sensitive=False)
    if sensitive_visible is not None:
        programme_ok |= sensitive_visible
    return (
        live_signals()
        .filter(visible)
        .filter(programme_ok)
        .select_related("participant", "programme")
        .order_by("state", "-opened_on", "-id")
    )


def signal_categories() -> set[str]:
    from .registry import RULES

    return {rule.category for rule in RULES.values()}


def rule_choices() -> list[tuple[str, str]]:
    """The registered signal rules as (code, label), for filters."""
    from .registry import RULES

    return [(code, str(rule.label)) for code, rule in RULES.items()]
