"""What is due for destruction, computed from the enrollments in two queries."""

from dataclasses import dataclass
from datetime import date

from doorstroom.enrollments.models import Enrollment
from doorstroom.retention import rules


@dataclass(frozen=True)
class DueFile:
    participant_uuid: str
    enrollment_uuids: list[str]
    programme_codes: list[str]
    last_ended_on: date
    due_on: date


def files_due_for_destruction(*, today: date) -> list[DueFile]:
    """Participants whose every enrollment is closed and past its programme's retention period."""
    rows = Enrollment.objects.values_list(
        "participant__uuid", "uuid", "ended_on", "programme__retention_years", "programme__code"
    ).order_by("participant_id", "id")
    by_participant: dict[str, list[tuple]] = {}
    for row in rows.iterator(chunk_size=5000):
        by_participant.setdefault(str(row[0]), []).append(row)
    due: list[DueFile] = []
    for participant_uuid, enrollments in by_participant.items():
        facts = [rules.ClosedEnrollment(ended_on=r[2], retention_years=r[3]) for r in enrollments]
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
