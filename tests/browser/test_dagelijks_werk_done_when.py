"""The first day of a new partner-organisation coach on the demo: register a participant, enrol
them, and open their plan, contacts and intake without anyone else acting (the programme's
approved data needs share what the coach's work needs); a category the work does not need is
refused with the reason and whom to ask."""

from datetime import date

from django.apps import apps

import pytest

from doorstroom.demo.generator import DEMO_PASSWORD, generate
from doorstroom.measurements import catalogue
from doorstroom.participants.models import Participant, SharingGrant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, username: str) -> None:
    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/mijn-deelnemers/")


@pytest.fixture
def demo():
    from doorstroom.signalering import services as signal_services

    catalogue.load(apps)  # a transactional test starts from an emptied database
    generate(participants=12, seed=7, today=date.today())
    signal_services.signals_refresh(today=date.today())  # as `make run` does after seeding


def test_a_partner_coach_registers_enrols_and_opens_plan_contacts_and_intake(page, axe, demo):
    login(page, "coach.5050")
    page.get_by_role("link", name="Nieuwe deelnemer").click()
    page.get_by_label("Voornaam").fill("Nadia")
    page.get_by_label("Achternaam").fill("Haddou")
    page.get_by_label("Geboortedatum").fill("1994-05-17")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_role("heading", name="Nadia Haddou").wait_for()
    participant = Participant.objects.get(given_name="Nadia", family_name="Haddou")

    page.get_by_role("link", name="Aanmelden voor een programma").click()
    page.get_by_label("Programma").select_option(label="Werkproces complexe gezinnen (Enschede)")
    page.get_by_role("button", name="Aanmelden").click()
    page.get_by_role("heading", name="Nadia Haddou").wait_for()
    # the approved needs of the programme became ordinary grants for 50|50 Workcenter
    shared = set(
        SharingGrant.objects.filter(participant=participant, withdrawn_on__isnull=True, origin="werk").values_list(
            "category", flat=True
        )
    )
    assert shared == {"contact", "plan", "metingen", "notities"}
    file_page = page.locator("main").inner_text()
    assert "Niet gedeeld met uw organisatie: Werk en opleiding" in file_page
    axe.check(page)

    for path, heading in (("plan/", "Plan van aanpak"), ("contacten/", "Contacten"), ("intake/", "Brede intake")):
        response = page.goto(f"/deelnemers/{participant.uuid}/{path}")
        assert response is not None and response.status == 200, path
        assert heading.lower() in page.locator("h1").inner_text().lower(), path
        axe.check(page)

    # school and work are not what the coach's work in this programme needs: the refusal says what
    # is not shared with which organisation, and whom to ask
    response = page.goto(f"/deelnemers/{participant.uuid}/school/")
    assert response is not None and response.status == 403
    reason = page.locator("main").inner_text()
    assert "‘Werk en opleiding’" in reason and "(50|50 Workcenter)" in reason and "Gemeente Enschede" in reason
    assert "rol" not in reason.lower()
    axe.check(page)


def test_a_registration_with_three_problems_shows_all_three_at_once(page, axe, demo):
    login(page, "coach.5050")
    page.goto("/deelnemers/nieuw/")
    page.get_by_label("Voornaam").fill("Nadia")
    page.get_by_label("Achternaam").fill("Haddou")
    page.get_by_label("Geboortedatum").fill("2999-05-17")
    page.get_by_label("BSN").fill("123456789")
    # a language that is not in the list (as a tampered or outdated form would send it)
    page.evaluate(
        "() => { const o = new Option('Onbekend', 'xx', true, true); document.querySelector('#id_languages').add(o); }"
    )
    page.get_by_role("button", name="Opslaan").click()
    summary = page.locator("#form-errors")
    summary.wait_for()
    text = summary.inner_text()
    assert "BSN" in text and "Geboortedatum" in text and "Talen die de deelnemer spreekt" in text, text
    assert page.locator("#id_bsn-error").is_visible() and page.locator("#id_languages-error").is_visible()
    assert not Participant.objects.filter(given_name="Nadia").exists()
    axe.check(page)
    # the language list is searchable by name
    page.get_by_label("Zoek een taal").fill("tigr")
    visible = page.locator("#id_languages option:not([hidden])").all_inner_texts()
    assert "Tigrinya" in visible and "Arabisch" not in visible


def test_logging_a_contact_closes_the_no_contact_signal_at_once(page, demo):
    from doorstroom.signalering.models import Signal

    signal = Signal.objects.filter(rule="geen_contact", state="open").select_related("participant").first()
    assert signal is not None, "the demo has an open 'no contact' signal"
    participant = signal.participant
    director = participant.team.filter(role="regisseur").select_related("member").first()
    login(page, director.member.username if director else "regisseur")
    page.goto(f"/deelnemers/{participant.uuid}/contacten/")
    page.get_by_role("button", name="Contact opslaan").click()
    page.get_by_text("opgeslagen").first.wait_for()
    signal.refresh_from_db()
    assert signal.state == "gesloten"
    page.goto("/signalen/")
    rows = page.locator("main table tbody tr").all_inner_texts()
    assert not [row for row in rows if participant.full_name in row and "Lang geen contact" in row]


def test_the_participant_downloads_a_readable_access_request_pdf(page, demo):
    from io import BytesIO

    from pypdf import PdfReader

    login_participant = "deelnemer"
    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(login_participant)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("link", name="Alle gegevens als PDF (inzageverzoek)").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Alle gegevens als PDF (inzageverzoek)").click()
    pdf = PdfReader(BytesIO(download.value.path().read_bytes()))
    text = " ".join(p.extract_text() for p in pdf.pages)
    flat = " ".join(text.split())
    for heading in ("Inhoud", "Uw plan van aanpak", "Metingen", "Contactmomenten"):
        assert heading in flat, heading
    participant = Participant.objects.get(account__username="deelnemer")
    note = participant.contacts.exclude(note="").first()
    plan = participant.plan if hasattr(participant, "plan") else None
    goal = plan.current.goals.first() if plan is not None and plan.current else None
    assert note is not None and "".join(note.note.split()) in "".join(text.split())
    assert goal is not None and "".join(goal.description.split()) in "".join(text.split())
    assert participant.measurements.exists() and "Nulmeting" in flat
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
    assert any(month in flat for month in months) and " 20" in flat


def test_the_caseload_filters_by_programme_and_signal(page, axe, demo):
    login(page, "regisseur")
    total = page.locator("main table tbody tr").count()
    page.get_by_label("Signaal").select_option(label="Lang geen contact")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url("**signaal=geen_contact**")
    with_signal = page.locator("main table tbody tr").count()
    assert 0 < with_signal < total
    axe.check(page)
    programme = page.get_by_label("Programma").locator("option").nth(1).inner_text()
    page.get_by_label("Programma").select_option(label=programme)
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url("**programma=**")
    for cell in page.locator("main table tbody tr td:nth-child(2)").all_inner_texts():
        assert cell == programme


def test_the_administrator_proposes_a_data_need_and_the_privacy_officer_approves_it(page, axe, demo):
    from doorstroom.programmes.models import Programme, ProgrammeDataNeed

    programme = Programme.objects.order_by("name").first()
    login_staff = "beheerder"
    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(login_staff)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("heading", name="Functioneel beheer").wait_for()
    axe.check(page)
    page.get_by_role("link", name="Naar de programma's en hun gegevensbehoefte").click()
    page.get_by_role("link", name=f"Gegevensbehoefte van {programme.name}").click()
    axe.check(page)
    page.get_by_label("Rol in het team").select_option(label="Maatje (buddy)")
    page.get_by_role("group", name="Soort gegevens die dit werk nodig heeft").get_by_label("Contactgegevens").check()
    page.get_by_label("Wettelijke taak").select_option(label="Participatiewet")
    page.get_by_label("Waarom heeft dit werk deze gegevens nodig?").fill("Het maatje spreekt af met de deelnemer.")
    page.get_by_role("button", name="Voorstel indienen").click()
    page.get_by_text("Het voorstel is vastgelegd").wait_for()
    need = ProgrammeDataNeed.objects.get(programme=programme, team_role="maatje")
    assert need.state == "voorgesteld"
    page.get_by_role("button", name="Uitloggen").click()
    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill("privacy")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto(f"/programmas/{programme.code}/gegevensbehoefte/")
    row = page.locator("tr", has_text="Maatje (buddy)")
    row.get_by_label("Goedkeuren").check()
    row.get_by_role("button", name="Besluit vastleggen").click()
    page.get_by_text("Goedgekeurd").first.wait_for()
    need.refresh_from_db()
    assert need.state == "goedgekeurd"
    axe.check(page)
