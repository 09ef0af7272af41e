"""Search by name: the words it matches, and on PostgreSQL a plan that reads the name indexes
(migration 0008) rather than every participant; an index whose expression drifted from the query's
would not be chosen, whatever the size."""

from django.db import connection

import pytest

from doorstroom.participants import selectors
from doorstroom.participants.models import Participant
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def test_every_word_must_match_a_part_of_a_name_or_the_whole_prefix():
    jansen = ParticipantFactory(given_name="Piet", family_name="Jansen", family_name_prefix="")
    de_jan = ParticipantFactory(given_name="Anna", family_name="Vries", family_name_prefix="de")
    ParticipantFactory(given_name="Karel", family_name="Bos", family_name_prefix="")
    everyone = Participant.objects.all()
    assert set(selectors.named(everyone, "jans")) == {jansen}
    assert set(selectors.named(everyone, "PIET jan")) == {jansen}
    assert set(selectors.named(everyone, "DE anna")) == {de_jan}
    assert set(selectors.named(everyone, "d")) == set()  # a prefix matches whole, a name in part


def test_on_postgresql_the_name_search_reads_its_indexes():
    if connection.vendor != "postgresql":
        pytest.skip("the name indexes are PostgreSQL's")
    ParticipantFactory.create_batch(3)
    sql, params = selectors.named(Participant.objects.all(), "jan").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: ask whether an index *can* serve
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in ("participant_given_name_trgm", "participant_family_name_trgm", "participant_prefix_upper"):
        assert index in plan, plan
