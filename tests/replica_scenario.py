"""Run by tests/test_replica.py in its own process, with DATABASE_URL naming a throwaway primary and
DOORSTROOM_REPLICA_URL its streaming replica: where reports, access decisions, drill-down lists and
audit rows read and write. Prints one JSON line of findings."""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from doorstroom.access import policy as access  # noqa: E402
from doorstroom.access.models import AuditEvent  # noqa: E402
from doorstroom.core import clock  # noqa: E402
from doorstroom.demo import generator  # noqa: E402
from doorstroom.monitoring import services as monitoring  # noqa: E402
from doorstroom.organisations.models import User  # noqa: E402
from doorstroom.participants import services as participant_services  # noqa: E402
from doorstroom.participants.models import SharingGrant  # noqa: E402
from doorstroom.programmes.models import Programme  # noqa: E402


def caught_up() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.time() + 60
    while time.time() < deadline:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.1)
    raise RuntimeError("the replica did not catch up")


def replay(paused: bool) -> None:
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")


def report_total(user: User, programme: Programme) -> tuple[dict, int, int, int]:
    parameters = monitoring.parameters_from(user, {"programma": [programme.code]})
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        figures, _members = monitoring.report_compute(user, parameters)
    # the hand-written counting queries (the score series, the events read as plain rows) go where the ORM's go
    counting = ("series_instrument", "enrollments_enrollmentevent")
    hand_written = sum(1 for q in on_primary.captured_queries if any(word in q["sql"] for word in counting))
    return figures, len(on_replica), len(on_primary), hand_written


def main() -> None:
    call_command("migrate", verbosity=0)
    generator.generate(participants=60, seed=5, today=clock.today())
    caught_up()
    found: dict[str, object] = {}
    leader = User.objects.get(username="projectleider")
    coach = User.objects.get(username="coach")
    programme = Programme.objects.filter(enrollments__isnull=False).order_by("code").first()
    figures, replica_queries, primary_queries, counting_on_primary = report_total(leader, programme)
    found["report_queries_on_replica"] = replica_queries
    found["report_queries_on_primary"] = primary_queries
    found["counting_queries_on_primary"] = counting_on_primary

    # the replica stops replaying: from now on it is behind
    replay(paused=True)
    grant = (
        SharingGrant.objects.filter(organisation=coach.organisation, withdrawn_on__isnull=True, category="traject")
        .select_related("participant")
        .first()
    )
    participant = grant.participant
    found["coach_saw_before"] = access.can(coach, participant, access.Action.VIEW, access.Category.TRAJECTORY)
    audit_before_primary = AuditEvent.objects.using("default").count()
    audit_before_replica = AuditEvent.objects.using("replica").count()
    participant_services.sharing_withdraw(grant=grant, by=User.objects.get(username="regisseur"))
    # the very next decision: made on the primary, so the withdrawal counts at once
    found["coach_sees_after_withdrawal"] = access.can(
        coach, participant, access.Action.VIEW, access.Category.TRAJECTORY
    )
    found["grant_still_open_on_replica"] = SharingGrant.objects.using("replica").get(pk=grant.pk).withdrawn_on is None
    access.require_participant(User.objects.get(username="regisseur"), participant.uuid)  # an audited read
    found["audit_rows_added_on_primary"] = AuditEvent.objects.using("default").count() - audit_before_primary
    found["audit_rows_added_on_replica"] = AuditEvent.objects.using("replica").count() - audit_before_replica
    replay(paused=False)
    caught_up()
    found["grant_withdrawn_on_replica_after_catching_up"] = (
        SharingGrant.objects.using("replica").get(pk=grant.pk).withdrawn_on is not None
    )
    found["report_has_figures"] = bool(figures.get("parts"))
    print(json.dumps(found))


if __name__ == "__main__":
    main()
