"""Encryption at rest and the blind index: the database never holds a BSN or a note in plain text."""

from datetime import timedelta

from django.core.management import call_command
from django.db import connection
from django.test import override_settings

import pytest
from cryptography.fernet import Fernet

from doorstroom.core import clock, crypto
from doorstroom.enrollments import services
from doorstroom.organisations.tests.factories import UserFactory
from doorstroom.participants.models import Participant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def raw(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def test_bsn_and_notes_are_ciphertext_in_the_database_and_plain_in_python():
    actor = UserFactory()
    participant = ParticipantFactory(bsn="123456782")
    enrollment = services.enrollment_enrol(
        participant=participant,
        programme=ProgrammeFactory(),
        actor=actor,
        referred_by=actor.organisation,
        on=clock.today() - timedelta(days=3),
        note="Moeder van drie, schulden bij de woningcorporatie",
    )
    dump = " ".join(str(value) for row in raw("SELECT * FROM participants_participant") for value in row)
    dump += " ".join(str(value) for row in raw("SELECT * FROM enrollments_enrollmentevent") for value in row)
    assert "123456782" not in dump and "woningcorporatie" not in dump
    assert Participant.objects.get(pk=participant.pk).bsn == "123456782"
    assert enrollment.events.get().note.startswith("Moeder van drie")
    assert Participant.objects.get(bsn_index=crypto.blind_index("123456782")) == participant


def test_the_blind_index_is_keyed():
    with override_settings(DOORSTROOM_BLIND_INDEX_KEY="een-andere-sleutel"):
        other = crypto.blind_index("123456782")
    assert other != crypto.blind_index("123456782")
    assert crypto.blind_index("123456782") == crypto.blind_index(" 123456782 ")


def test_key_rotation_re_encrypts_so_the_old_key_can_go(capsys):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(DOORSTROOM_ENCRYPTION_KEYS=[old_key]):
        participant = ParticipantFactory(bsn="111222333")
    with override_settings(DOORSTROOM_ENCRYPTION_KEYS=[new_key, old_key]):
        call_command("rotate_encryption_key")
    with override_settings(DOORSTROOM_ENCRYPTION_KEYS=[new_key]):
        assert Participant.objects.get(pk=participant.pk).bsn == "111222333"
    assert "participants_participant.bsn: 1" in capsys.readouterr().out
