"""The access-request PDF a participant downloads holds everything the JSON export of the same
reader holds (plan and versions, measurements, contacts with notes, events, sharing, recipients),
every code in words, dates as "2 december 2026", times in Dutch local time, with a table of contents,
in English when the participant chose English. Read back with pypdf, leaf by leaf."""

import json
import re
from datetime import timedelta
from io import BytesIO

from django.urls import reverse
from django.utils import translation

import pytest
from pypdf import PdfReader

from doorstroom.access.models import AuditEvent
from doorstroom.contacts import services as contact_services
from doorstroom.core import clock
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.measurements import services as measurement_services
from doorstroom.measurements.models import MeasurementType, ScaleVersion
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.models import Participant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.plans import services as plan_services
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.retention.readable import Words

pytestmark = pytest.mark.django_db
TODAY = clock.today()


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True, name="Gemeente Leesstad")
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    account = UserFactory(role=Role.PARTICIPANT, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality, account=account, languages=["ar", "nl"])
    TeamAssignmentFactory(participant=participant, member=director, role="regisseur")
    enrollment = enrollment_services.enrollment_enrol(
        participant=participant,
        programme=ProgrammeFactory(name="Taal en werk"),
        actor=director,
        referred_by=municipality,
        on=TODAY - timedelta(days=20),
        note="Aangemeld na het eerste gesprek",
    )
    enrollment_services.enrollment_record(
        enrollment=enrollment, actor=director, event_type="gestart", on=TODAY - timedelta(days=15)
    )
    plan_services.plan_save(
        participant=participant,
        actor=director,
        expected_version=0,
        goals=[{"life_domain": "werk", "description": "Een baan van twintig uur", "status": "open"}],
        agreements=[
            {
                "life_domain": "werk",
                "what": "Elke week twee sollicitaties",
                "due_on": TODAY + timedelta(days=30),
                "monitor": "De coach",
                "if_not_kept": "Samen opnieuw bekijken",
                "look_back_on": TODAY + timedelta(days=35),
                "status": "open",
            }
        ],
        review_on=TODAY + timedelta(days=60),
    )
    instrument = MeasurementType.objects.create(code="leesladder", name="Leesladder", kind="belemmeringen")
    ScaleVersion.objects.create(
        measurement_type=instrument,
        version="1",
        items=[{"code": "werk", "label": "Werk", "min": 0, "max": 3, "category": "metingen"}],
    )
    measurement_services.measurement_record(
        participant=participant,
        measurement_type=instrument,
        moment="nulmeting",
        measured_on=TODAY - timedelta(days=10),
        scores={"werk": 2},
        actor=director,
        note="Goede start gemaakt",
    )
    for day in range(3):
        contact_services.contact_record(
            participant=participant,
            actor=director,
            kind="gesprek",
            status="gehouden",
            occurred_on=TODAY - timedelta(days=day + 1),
            attendance="verschenen",
            minutes=30,
            note=f"Besproken: stap {day + 1} van het plan",
        )
    return {"participant": participant, "account": account, "director": director}


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def leaves(value, key=""):
    """Every (key, scalar) of the export, however deep."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, k)
    elif isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        for v in value:
            yield from leaves(v, key)
    else:
        yield key, value


def download(client, participant, kind):
    response = client.get(reverse(f"participants:{kind}", args=[participant.uuid]))
    assert response.status_code == 200
    return response


def test_the_pdf_holds_every_value_of_the_json_in_words(client, world):
    participant = world["participant"]
    client.force_login(world["account"])
    data = json.loads(download(client, participant, "export").content)
    pdf = PdfReader(BytesIO(download(client, participant, "export_pdf").content))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    flat = squash(text)
    person_choices = {f.name: f.choices for f in Participant._meta.concrete_fields if f.choices}
    with translation.override("nl"):
        words = Words()
        missing = []
        checked = 0
        for key, value in leaves(data):
            if key in ("uuid", "volledig", "processing_restriction_reason", "bsn_index") or value in (None, "", []):
                continue
            if key == "languages":
                continue  # checked below as language names
            if isinstance(value, str) and re.fullmatch(r"[0-9a-f-]{36}", value):
                continue
            if key in ("doelen", "afspraken") and value == 0:
                continue  # nothing withheld from the participant: not worth a line
            choices = dict(person_choices.get(key, []))
            shown = str(choices[value]) if isinstance(value, str) and value in choices else words.value(key, value)
            checked += 1
            if squash(shown) not in flat:
                missing.append((key, value, shown))
    assert missing == []
    assert checked > 60
    # what the issue names in particular: the plan, the measurements and the contact notes
    for expected in ("Een baan van twintig uur", "Elke week twee sollicitaties", "Goede start gemaakt"):
        assert squash(expected) in flat
    assert squash("Besproken: stap 3 van het plan") in flat
    assert "Arabisch" in text  # languages by name, not ISO codes


def test_dates_and_times_read_as_dutch_words_in_local_time(client, world):
    participant = world["participant"]
    client.force_login(world["account"])
    text = " ".join(
        page.extract_text() for page in PdfReader(BytesIO(download(client, participant, "export_pdf").content)).pages
    )
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), re.search(r".{40}\d{4}-\d{2}-\d{2}.{20}", text)
    months = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ]
    assert f"{TODAY.day} {months[TODAY.month - 1]} {TODAY.year}" in text
    looked = AuditEvent.objects.filter(subjects__participant_uuid=str(participant.uuid)).first()
    local = looked.occurred_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Amsterdam"))
    # Dutch local time, not UTC; the PDF is made a moment before its audit row is written (a minute
    # can turn in between when the machine is busy)
    assert any(f"{t:%H:%M}" in text for t in (local, local - __import__("datetime").timedelta(minutes=1)))
    utc = looked.occurred_at.astimezone(__import__("datetime").timezone.utc)
    assert utc.hour == local.hour or f"{utc:%H:%M}" not in text
    for code in ("wettelijke_taak", "klantregisseur", "eigen_dossier", "begeleiding,", "nulmeting"):
        assert code not in text, code
    assert "Inhoud" in text and "Uw plan van aanpak" in text and "Contactmomenten" in text


def test_the_participant_sees_organisations_and_roles_not_staff_names(client, world):
    participant = world["participant"]
    client.force_login(world["director"])
    client.get(reverse("participants:detail", args=[participant.uuid]))
    client.force_login(world["account"])
    data = json.loads(download(client, participant, "export").content)
    looks = data["inzage_in_dossier"]
    assert looks and all("wie" not in look for look in looks)
    assert any(look["organisatie"] == "Gemeente Leesstad" and look["rol"] == "klantregisseur" for look in looks)


def test_in_english_when_the_participant_chose_english(client, world):
    participant = world["participant"]
    client.force_login(world["account"])
    client.cookies["django_language"] = "en"
    text = " ".join(
        page.extract_text() for page in PdfReader(BytesIO(download(client, participant, "export_pdf").content)).pages
    )
    assert "Your personal data" in text and "Contents" in text
    assert "december" not in text.replace("December", "")  # English month names
