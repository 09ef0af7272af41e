from datetime import date, timedelta

import pytest

from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.enrollments import services as enrollment_services
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.plans import rules, selectors, services
from doorstroom.plans.models import Plan, PlanVersion
from doorstroom.programmes.tests.factories import ProgrammeFactory

TODAY = clock.today()


def goal(**extra):
    return {
        "life_domain": "taal",
        "description": "Op B1 spreken",
        "target_on": TODAY + timedelta(days=200),
        "status": "open",
        **extra,
    }


def agreement(**extra):
    return {
        "what": "Amal volgt elke dinsdag de taalles",
        "due_on": TODAY + timedelta(days=30),
        "monitor": "De coach",
        "if_not_kept": "We zoeken samen een andere lestijd",
        "look_back_on": TODAY + timedelta(days=35),
        "status": "open",
        **extra,
    }


def test_the_rules_name_each_bad_field():
    started = date(2026, 3, 1)
    assert rules.goal_problems(goal(), started_on=started) == {}
    bad = rules.goal_problems(
        {"life_domain": "hobby", "description": "", "status": "?", "target_on": date(2026, 1, 1)}, started_on=started
    )
    assert set(bad) == {"life_domain", "description", "status", "target_on"}
    bad = rules.agreement_problems(
        agreement(look_back_on=TODAY, due_on=TODAY + timedelta(days=9), monitor=""), started_on=started
    )
    assert set(bad) == {"look_back_on", "monitor"}


def test_the_difference_reads_as_plain_dutch():
    old = {
        "review_on": date(2026, 5, 1),
        "goals": [{"key": "g1", **goal()}],
        "agreements": [{"key": "a1", **agreement()}],
    }
    new = {
        "review_on": date(2026, 6, 1),
        "goals": [
            {"key": "g1", **goal(status="bezig")},
            {"key": "g2", **goal(life_domain="werk", description="Een stage")},
        ],
        "agreements": [],
    }
    lines = rules.difference(old, new)
    assert "Evaluatiedatum: 01-05-2026 → 01-06-2026" in lines
    assert "Doel gewijzigd (Op B1 spreken): stand Nog niet begonnen → Bezig" in lines
    assert "Doel toegevoegd: Een stage" in lines
    assert "Afspraak vervallen: Amal volgt elke dinsdag de taalles" in lines


@pytest.mark.django_db
def test_each_save_is_a_new_version_and_a_stale_save_is_refused_with_what_changed():
    participant = ParticipantFactory()
    anna = UserFactory(role=Role.DIRECTOR, first_name="Anna", last_name="Regie")
    first = services.plan_save(
        participant=participant, actor=anna, expected_version=0, goals=[goal()], agreements=[agreement()]
    )
    kept = selectors.as_mapping(first)
    second_goals = [{**kept["goals"][0], "status": "bezig"}]
    services.plan_save(
        participant=participant, actor=anna, expected_version=1, goals=second_goals, agreements=kept["agreements"]
    )
    with pytest.raises(DomainError) as conflict:
        services.plan_save(participant=participant, actor=UserFactory(), expected_version=1, goals=[], agreements=[])
    assert conflict.value.code == "conflict" and "Anna Regie" in conflict.value.message
    assert "stand Nog niet begonnen → Bezig" in conflict.value.message
    assert PlanVersion.objects.count() == 2 and Plan.objects.get().version == 2
    assert selectors.current_plan(participant).goals.get().status == "bezig"
    assert selectors.difference_between(participant, 1, 2) == [
        "Doel gewijzigd (Op B1 spreken): stand Nog niet begonnen → Bezig"
    ]


@pytest.mark.django_db
def test_a_goal_before_the_trajectory_started_is_refused():
    participant = ParticipantFactory()
    actor = UserFactory(role=Role.DIRECTOR)
    enrollment_services.enrollment_enrol(
        participant=participant,
        programme=ProgrammeFactory(),
        actor=actor,
        referred_by=actor.organisation,
        on=TODAY - timedelta(days=10),
    )
    with pytest.raises(DomainError) as error:
        services.plan_save(
            participant=participant,
            actor=actor,
            expected_version=0,
            goals=[goal(target_on=TODAY - timedelta(days=20))],
            agreements=[],
        )
    assert error.value.field == "goals[0].target_on"
    assert not PlanVersion.objects.exists() and Plan.objects.filter(version__gt=0).count() == 0


@pytest.mark.django_db
def test_the_participants_agreement_needs_how_and_cannot_lie_ahead():
    participant = ParticipantFactory()
    actor = UserFactory(role=Role.DIRECTOR)
    with pytest.raises(DomainError) as error:
        services.plan_save(
            participant=participant, actor=actor, expected_version=0, goals=[goal()], agreements=[], agreed_on=TODAY
        )
    assert error.value.field == "agreed_how"
    with pytest.raises(DomainError) as error:
        services.plan_save(
            participant=participant,
            actor=actor,
            expected_version=0,
            goals=[goal()],
            agreements=[],
            agreed_on=TODAY + timedelta(days=1),
            agreed_how="mondeling",
        )
    assert error.value.field == "agreed_on"
