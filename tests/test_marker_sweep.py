"""A9: content, not only decisions. A marker is planted in every field and row type of every data
category of one participant's file (`tests/marker_world.py`); then every route of the endpoint
registry is called as every reader (every role, through every access route the oracle knows:
statutory task, centre municipality, team member with and without grants, team lead's overview,
referral, break-the-glass, the participant's own file, and roles without case access), through
every channel (pages, HTMX fragments, edit forms and their re-rendered errors, version
differences, the API, PDFs read back as text, JSON exports, the e-mail digest).

Each marker must appear in no response whose reader the oracle does not allow its kind of data
(a leak), and in every response of a route that shows that kind of data when the oracle allows it
(else the sweep would be blind: a miss). Runs once, on PostgreSQL (`generated` marker).
"""

import contextlib
import json
from dataclasses import dataclass, field, replace
from io import BytesIO

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction

import openpyxl
import pytest
from pypdf import PdfReader
from rest_framework.test import APIClient

from doorstroom.core import categories as C  # noqa: N812
from doorstroom.plans import rules as plan_rules
from doorstroom.research.services import extract_rows

from .endpoints import NOT_PERSONAL, PERSONAL
from .marker_world import BSN, ITEM_MARKERS, REASON_MARKERS, Reader, plant, visible
from .test_endpoint_registry import named_routes

pytestmark = [pytest.mark.django_db, pytest.mark.generated]

GOALS = {f"goal:{d}" for d in plan_rules.LIFE_DOMAINS}
AGREEMENTS = {f"agreement:{d}" for d in plan_rules.LIFE_DOMAINS}
REASONS = {f"reason:{code}" for code in REASON_MARKERS}
ITEMS = {f"item:{code}" for code in ITEM_MARKERS}
EVENTS = REASONS | {"event_note"}
SENSITIVE = {"sensitive_programme", "sensitive_phase"}


@dataclass
class Call:
    """One request of the sweep, and which kinds of data its answer shows when allowed."""

    name: str  # endpoint (URL name)
    method: str
    url: str
    channel: str  # page, htmx, form, api, pdf, json, xlsx
    shows: frozenset[str] = frozenset()
    #: the route lists programmes as reference data (not anyone's membership)
    reference_data: bool = False
    #: a marker of one kind here means another (a name on a sensitive programme's board is membership)
    means: dict[str, str] = field(default_factory=dict)
    #: only for these readers does the answer hold the participant (their list, their inbox)
    only_for: frozenset[str] | None = None
    #: for these readers the answer is the complete export (AVG art. 15, a written request)
    complete_for: frozenset[str] = frozenset()
    data: dict[str, object] = field(default_factory=dict)


def calls(world: dict[str, object]) -> list[Call]:
    p = world["participant"]
    first, second = world["first"], world["second"]
    household = world["household"]
    ordinary, sensitive, study = world["ordinary"], world["sensitive"], world["study"]
    open_referral, declined = world["open_referral"], world["declined_referral"]
    team = frozenset({"director_team", "coach_full", "coach_plain", "teacher", "jobcoach", "intermediary"})
    bsn_readers = frozenset(r.name for r in world["readers"] if r.bsn_role)
    file_page = {"identity", "contact", "bsn", "household_member", "school", "change_reason", *EVENTS, *SENSITIVE}
    plan_page = {"identity", *GOALS, *AGREEMENTS, "plan_note", "pip"}
    export = {
        "identity",
        "contact",
        "bsn",
        *EVENTS,
        *SENSITIVE,
        *GOALS,
        *AGREEMENTS,
        "plan_note",
        "pip",
        "contact_note",
        *ITEMS,
        "measurement_note",
        "school",
        "referral_reason",
        "referral_answer",
        "signal_note",
        "change_reason",
        "household_goal_own",
    }
    # the readable PDF holds everything the JSON export of the same reader holds (issue "Dagelijks werk")
    export_pdf = export
    u = f"/deelnemers/{p.uuid}"
    api = f"/api/v1/deelnemers/{p.uuid}"
    c = [
        Call("participants:detail", "get", f"{u}/", "page", frozenset(file_page)),
        Call("participants:edit", "get", f"{u}/wijzigen/", "form"),
        Call("participants:edit", "post", f"{u}/wijzigen/", "form", data={"version": "x"}),
        Call("participants:household_add", "get", f"{u}/huishouden/", "form"),
        Call("participants:household_add", "post", f"{u}/huishouden/", "form"),
        Call("participants:school_add", "get", f"{u}/school/", "form"),
        Call("participants:school_add", "post", f"{u}/school/", "form"),
        Call("participants:sharing_add", "get", f"{u}/delen/", "form"),
        Call("participants:sharing_add", "post", f"{u}/delen/", "form"),
        Call("participants:sharing_withdraw", "post", f"{u}/delen/{world['grant'].uuid}/intrekken/", "form"),
        Call("participants:audit_trail", "get", f"{u}/inzage/", "page"),
        Call("participants:audit_trail", "get", f"{u}/inzage/?since=2000-01-01&pagina=2", "page"),
        Call(
            "participants:own_file",
            "get",
            "/mijn-dossier/",
            "page",
            frozenset({"identity", *GOALS, *AGREEMENTS, *ITEMS, *SENSITIVE}),
            only_for=frozenset({"participant"}),
            complete_for=frozenset({"participant"}),
        ),
        Call(
            "participants:own_plan_agree",
            "post",
            "/mijn-dossier/plan/akkoord/",
            "form",
            data={"version": "0"},
            only_for=frozenset({"participant"}),
        ),
        Call("participants:export", "get", f"{u}/inzageverzoek.json", "json", frozenset(export)),
        Call(
            "participants:export_pdf",
            "get",
            f"{u}/inzageverzoek.pdf",
            "pdf",
            frozenset(export_pdf),
        ),
        Call("participants:restriction", "get", f"{u}/beperking/", "form"),
        Call("participants:restriction", "post", f"{u}/beperking/", "form"),
        Call("participants:search", "get", "/deelnemers/zoeken/?q=Amal", "page", frozenset({"identity"})),
        Call(
            "participants:search",
            "post",
            "/deelnemers/zoeken/",
            "page",
            frozenset({"identity"}),
            data={"q": BSN},
            only_for=bsn_readers,
        ),
        Call("participants:create", "get", "/deelnemers/nieuw/", "form"),
        Call("participants:create", "post", "/deelnemers/nieuw/", "form"),
        Call("participants:break_glass", "get", "/noodtoegang/", "form"),
        Call("participants:break_glass", "post", "/noodtoegang/", "form"),
        Call("participants:break_glass_review", "get", "/noodtoegang/beoordelen/", "page"),
        Call("participants:break_glass_review", "post", "/noodtoegang/beoordelen/", "form"),
        Call("participants:written_access_request", "get", "/inzageverzoeken/", "form"),
        *(
            Call(
                "participants:written_access_request",
                "post",
                "/inzageverzoeken/",
                output,
                frozenset(export if output == "json" else export_pdf),
                data={"bsn": BSN, "reference": "SCHR-2026-17", "output": output},
                complete_for=frozenset({"privacy_officer"}),
                only_for=frozenset({"privacy_officer"}),
            )
            for output in ("json", "pdf")
        ),
        Call(
            "enrollments:caseload",
            "get",
            "/mijn-deelnemers/",
            "page",
            frozenset({"identity", *SENSITIVE}),
            only_for=team | {"team_lead"},
        ),
        # the caseload's filters: a filter on a signal about a sensitive programme that returns the
        # participant says they are in it; a search and a programme filter show no more than the list
        Call(
            "enrollments:caseload",
            "get",
            "/mijn-deelnemers/?signaal=fase_te_lang&sorteer=langst_in_fase",
            "page",
            frozenset({"identity"}),
            means={"identity": "sensitive_signal"},
            only_for=team | {"team_lead"},
        ),
        Call(
            "enrollments:caseload",
            "get",
            f"/mijn-deelnemers/?zoek=Amal&programma={ordinary.pk}&sorteer=-naam",
            "page",
            frozenset({"identity"}),
            only_for=team | {"team_lead"},
        ),
        Call(
            "enrollments:caseload_reassign",
            "get",
            f"/team/caseload-overdragen/?leaving={world['users']['coach_full'].pk}",
            "form",
            frozenset({"identity"}),
            only_for=frozenset({"team_lead"}),
        ),
        Call("enrollments:caseload_reassign", "post", "/team/caseload-overdragen/", "form"),
        Call("enrollments:create", "get", f"{u}/inschrijven/", "form", reference_data=True),
        Call("enrollments:create", "post", f"{u}/inschrijven/", "form", reference_data=True),
        Call("enrollments:team_add", "get", f"{u}/team/", "form"),
        Call("enrollments:team_add", "post", f"{u}/team/", "form"),
        Call("enrollments:team_end", "post", f"{u}/team/{world['assignment'].uuid}/beeindigen/", "form"),
        Call("enrollments:director_handover", "get", f"{u}/regie/", "form"),
        Call("enrollments:director_handover", "post", f"{u}/regie/", "form"),
        Call(
            "enrollments:card",
            "get",
            f"/inschrijvingen/{first.uuid}/",
            "htmx",
            frozenset({*EVENTS, "sensitive_programme"}),
        ),
        Call("enrollments:card", "get", f"/inschrijvingen/{second.uuid}/", "htmx", frozenset(SENSITIVE)),
        Call(
            "enrollments:event_create",
            "get",
            f"/inschrijvingen/{second.uuid}/stap/overgedragen/",
            "htmx",
            reference_data=True,
        ),
        Call("enrollments:event_create", "post", f"/inschrijvingen/{first.uuid}/stap/gepauzeerd/", "form"),
        Call("enrollments:correct", "post", f"/inschrijvingen/{first.uuid}/corrigeren/", "form"),
        Call("enrollments:tags", "get", f"/inschrijvingen/{first.uuid}/werkwijze/", "form", reference_data=True),
        Call("enrollments:tags", "post", f"/inschrijvingen/{first.uuid}/werkwijze/", "form"),
        Call(
            "programmes:board",
            "get",
            f"/programmas/{sensitive.code}/",
            "page",
            frozenset({"sensitive_programme"}),
            reference_data=True,
            means={"identity": "sensitive_programme"},
            only_for=frozenset({"director_team", *team}),
        ),
        Call("programmes:board", "get", f"/programmas/{ordinary.code}/", "page"),
        Call("programmes:board", "get", f"/programmas/{ordinary.code}/?zoek=Amal&signaal=fase_te_lang", "page"),
        Call(
            "programmes:board",
            "get",
            f"/programmas/{sensitive.code}/?zoek=Amal&alleen_mijn=on",
            "page",
            frozenset({"sensitive_programme"}),
            reference_data=True,
            means={"identity": "sensitive_programme"},
            only_for=frozenset({"director_team", *team}),
        ),
        Call("programmes:list", "get", "/programmas/", "page", reference_data=True),
        # reports: counts, reason words only within the reader's categories, names only through the door
        Call("monitoring:report", "get", f"/rapportages/?programma={ordinary.code}", "page", reference_data=True),
        Call(
            "monitoring:report",
            "get",
            f"/rapportages/?programma={ordinary.code}&programma={sensitive.code}",
            "page",
            reference_data=True,
        ),
        Call("api-report", "get", f"/api/v1/rapportages/?programma={ordinary.code}", "api"),
        Call("api-report", "get", f"/api/v1/rapportages/?programma={ordinary.code}&buiten=ja", "api"),
        Call("monitoring:report_export", "get", f"/rapportages/export/?programma={ordinary.code}&formaat=csv", "json"),
        Call(
            "monitoring:report_chart",
            "get",
            f"/rapportages/grafiek.svg?programma={ordinary.code}&deel=geheel&tabel=pauzes_per_reden",
            "json",
        ),
        Call(
            "monitoring:report_people",
            "get",
            f"/rapportages/deelnemers/?programma={ordinary.code}&deel=geheel&tabel=trechter&rij=aangemeld&kolom=count",
            "page",
        ),
        Call(
            "api-report-drilldown",
            "get",
            f"/api/v1/rapportages/deelnemers/?programma={sensitive.code}&deel=geheel&tabel=trechter&rij=aangemeld"
            "&kolom=count",
            "api",
            means={"identity": "sensitive_programme"},
        ),
        Call("monitoring:report_export", "get", f"/rapportages/export/?programma={ordinary.code}&formaat=xlsx", "xlsx"),
        # the evaluators' extract: pseudonyms and generalised facts, never names, BSN, free text, protected
        # reasons or a sensitive programme, whoever asks for it (only the requester's role gets a file)
        Call("research:detail", "get", f"/onderzoek/{study.uuid}/", "page"),
        Call("research:extract", "post", f"/onderzoek/{study.uuid}/levering/", "json", data={"formaat": "csv"}),
        Call("research:extract", "post", f"/onderzoek/{study.uuid}/levering/", "xlsx", data={"formaat": "xlsx"}),
        # the import check: a file naming the participant by BSN (under another name) and a second person
        # who matches nobody; the preview and its problems may say no more of the stored file than the
        # reader may see (and never that the BSN is a client elsewhere)
        Call(
            "imports:upload",
            "post",
            "/inlezen/",
            "page",
            frozenset(),  # counts and problems only: nothing of the stored file, not even the BSN typed
            data={"bestanden": ("deelnemers.csv", _import_file(world))},
        ),
        Call("measurements:overview", "get", f"{u}/metingen/", "page", frozenset({*ITEMS, "measurement_note"})),
        Call("measurements:create", "get", f"{u}/metingen/nieuw/qzinstrument/", "form"),
        Call("measurements:create", "post", f"{u}/metingen/nieuw/qzinstrument/", "form"),
        Call("measurements:intake", "get", f"{u}/intake/", "form"),
        Call("measurements:intake", "post", f"{u}/intake/", "form"),
        Call("measurements:screening_create", "get", f"{u}/taalscreening/", "form"),
        Call("measurements:screening_create", "post", f"{u}/taalscreening/", "form"),
        Call("plans:detail", "get", f"{u}/plan/", "page", frozenset(plan_page)),
        Call("plans:detail", "get", f"{u}/plan/?versie=2", "page", frozenset(plan_page)),
        Call("plans:edit", "get", f"{u}/plan/wijzigen/", "form"),
        Call("plans:edit", "post", f"{u}/plan/wijzigen/", "form", data={"version": "1"}),
        Call("plans:pdf", "get", f"{u}/plan/plan-van-aanpak.pdf", "pdf", frozenset({*GOALS, *AGREEMENTS, "pip"})),
        Call(
            "plans:household",
            "get",
            f"/huishoudens/{household.uuid}/plan/",
            "page",
            frozenset({"household_goal_own", "household_goal_child"}),
        ),
        Call("plans:household_pdf", "get", f"/huishoudens/{household.uuid}/plan/gezinsplan.pdf", "pdf"),
        Call("plans:household_edit", "get", f"/huishoudens/{household.uuid}/plan/wijzigen/", "form"),
        Call("plans:household_edit", "post", f"/huishoudens/{household.uuid}/plan/wijzigen/", "form"),
        Call("contacts:overview", "get", f"{u}/contacten/", "page", frozenset({"contact_note"})),
        Call("contacts:create", "get", f"{u}/contacten/nieuw/", "htmx"),
        Call("contacts:create", "post", f"{u}/contacten/nieuw/", "form"),
        Call(
            "signalering:dashboard",
            "get",
            "/signalen/",
            "page",
            frozenset({"sensitive_signal", "sensitive_programme"}),
            only_for=team,
        ),
        Call(
            "signalering:dashboard",
            "get",
            "/signalen/?signaal=fase_te_lang&zoek=Amal",
            "page",
            frozenset({"sensitive_signal", "sensitive_programme"}),
            only_for=team,
        ),
        Call(
            "signalering:dashboard",
            "get",
            f"/signalen/?medewerker={world['users']['coach_full'].pk}",
            "page",
            frozenset({"sensitive_signal", "sensitive_programme"}),
            only_for=frozenset({"team_lead"}),
        ),
        Call("signalering:handle", "post", f"/signalen/{world['phase_signal'].uuid}/", "form"),
        Call("signalering:refresh", "post", "/signalen/bijwerken/", "form"),
        Call("referrals:create", "get", f"{u}/aanmelden/", "form"),
        Call("referrals:create", "post", f"{u}/aanmelden/", "form"),
        Call(
            "referrals:inbox",
            "get",
            "/aanmeldingen/",
            "page",
            frozenset({"identity"}),
            only_for=frozenset({"referral_receiver"}),
        ),
        Call(
            "referrals:decide",
            "get",
            f"/aanmeldingen/{open_referral.uuid}/",
            "page",
            frozenset({"referral_reason"}),
        ),
        Call("referrals:decide", "get", f"/aanmeldingen/{declined.uuid}/", "page", frozenset({"referral_answer"})),
        Call("referrals:decide", "post", f"/aanmeldingen/{open_referral.uuid}/", "form"),
        Call("referrals:withdraw", "post", f"/aanmeldingen/{open_referral.uuid}/intrekken/", "form"),
        Call("retention:erasure", "get", f"{u}/wissen/", "form"),
        Call("retention:erasure", "post", f"{u}/wissen/", "form"),
        Call("retention:destruction_lists", "get", "/vernietigingslijsten/", "page"),
        Call("home", "get", "/", "page"),
        Call("api-participants", "get", "/api/v1/deelnemers/?q=Amal", "api", frozenset({"identity"})),
        Call("api-participants", "post", "/api/v1/deelnemers/", "api"),
        Call(
            "api-participant-search",
            "post",
            "/api/v1/deelnemers/zoeken/",
            "api",
            frozenset({"identity"}),
            data={"q": BSN},
            only_for=bsn_readers,
        ),
        Call("api-participant", "get", f"{api}/", "api", frozenset({"identity", "contact", "bsn"})),
        Call("api-participant", "patch", f"{api}/", "api"),
        Call("api-enrollments", "get", "/api/v1/inschrijvingen/", "api", frozenset({"sensitive_programme"})),
        Call("api-enrollments", "post", "/api/v1/inschrijvingen/", "api"),
        Call(
            "api-enrollment", "get", f"/api/v1/inschrijvingen/{second.uuid}/", "api", frozenset({"sensitive_programme"})
        ),
        Call(
            "api-enrollment-events",
            "get",
            f"/api/v1/inschrijvingen/{first.uuid}/gebeurtenissen/",
            "api",
            frozenset({*EVENTS, "sensitive_programme"}),
        ),
        Call("api-enrollment-events", "post", f"/api/v1/inschrijvingen/{first.uuid}/gebeurtenissen/", "api"),
        Call("api-participant-measurements", "get", f"{api}/metingen/", "api", frozenset({*ITEMS, "measurement_note"})),
        Call("api-participant-measurements", "post", f"{api}/metingen/", "api"),
        Call("api-participant-contacts", "get", f"{api}/contacten/", "api", frozenset({"contact_note"})),
        Call("api-participant-contacts", "post", f"{api}/contacten/", "api"),
        Call("api-participant-team", "get", f"{api}/team/", "api"),
        Call("api-participant-team", "post", f"{api}/team/", "api"),
        Call(
            "api-referrals",
            "get",
            "/api/v1/aanmeldingen/",
            "api",
            frozenset({"referral_reason"}),
            only_for=frozenset({"referral_receiver"}),
        ),
        Call("api-referrals", "get", "/api/v1/aanmeldingen/?richting=verstuurd", "api"),
        Call("api-participant-referrals", "post", f"{api}/aanmeldingen/", "api"),
        Call("api-referral-answer", "post", f"/api/v1/aanmeldingen/{open_referral.uuid}/antwoord/", "api"),
        Call(
            "api-participant-plan", "get", f"{api}/plan/", "api", frozenset({*GOALS, *AGREEMENTS, "plan_note", "pip"})
        ),
        Call("api-participant-plan", "put", f"{api}/plan/", "api"),
        Call("api-programmes", "get", "/api/v1/programmas/", "api", reference_data=True),
        Call("api-programme", "get", f"/api/v1/programmas/{sensitive.code}/", "api", reference_data=True),
        Call("api-organisations", "get", "/api/v1/organisaties/", "api"),
    ]
    return c


def body_text(response, channel: str) -> str:
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        reader = PdfReader(BytesIO(content))
        text = " ".join(page.extract_text() or "" for page in reader.pages)
        return "".join(text.split()).lower()  # a marker broken over a line is still found
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = openpyxl.load_workbook(BytesIO(content), read_only=True)
        cells = (v for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row)
        return " ".join(str(v) for v in cells if v is not None).lower()
    text = content.decode("utf-8", errors="replace")
    if channel in ("api", "json"):
        with contextlib.suppress(ValueError):  # an error page is swept as it is
            text = json.dumps(json.loads(text), ensure_ascii=False)
    return text.lower()


@dataclass
class Sweep:
    responses: int = 0
    found_allowed: int = 0
    leaks: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    routes: set[tuple[str, str]] = field(default_factory=set)
    #: (reader, method, url) -> the kinds of data found in the answer
    found: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)
    comparisons: int = 0


def sweep_response(sweep: Sweep, reader: Reader, call: Call, body: str, markers, status: int) -> None:
    sweep.responses += 1
    # what the caller sent is echoed back (a search box): look for the rest
    url = (call.url + " " + " ".join(str(v) for v in call.data.values())).lower()
    seen = sweep.found.setdefault((reader.name, call.method, call.url), set())
    if reader.name in call.complete_for:
        reader = complete(reader)
    for kind, marker in markers.items():
        if call.reference_data and kind in SENSITIVE:
            continue
        if any(n.lower() in url for n in marker.needles):
            continue  # what the caller sent (a BSN searched for) cannot tell a leak from an echo
        present = any(n.lower() in body for n in marker.needles)
        meaning = call.means.get(kind, kind)
        allowed = visible(meaning, reader)
        if present and not allowed:
            sweep.leaks.append(f"{reader.name} {call.method.upper()} {call.url} ({call.channel}): {meaning}")
        shown_here = kind in call.shows and (call.only_for is None or reader.name in call.only_for)
        if present:
            seen.add(kind)
        if present and allowed:
            sweep.found_allowed += 1
        elif allowed and shown_here and status == 200:
            sweep.misses.append(f"{reader.name} {call.method.upper()} {call.url}: {kind}")


def compare_channels(sweep: Sweep, world: dict[str, object]) -> list[str]:
    """The channel-consistency check on content: the same reader finds the same kinds of data in
    the page, the API and the export of the same records (a leak in one channel only, or a channel
    that shows less, both count)."""
    p, first = world["participant"], world["first"]
    u, api = f"/deelnemers/{p.uuid}", f"/api/v1/deelnemers/{p.uuid}"
    groups = [
        ({*GOALS, *AGREEMENTS, "plan_note", "pip"}, [f"{u}/plan/", f"{api}/plan/", f"{u}/inzageverzoek.json"]),
        ({*GOALS, *AGREEMENTS, "pip"}, [f"{u}/plan/", f"{u}/plan/plan-van-aanpak.pdf"]),
        (
            EVENTS,
            [
                f"/inschrijvingen/{first.uuid}/",
                f"/api/v1/inschrijvingen/{first.uuid}/gebeurtenissen/",
                f"{u}/",
                f"{u}/inzageverzoek.json",
                f"{u}/inzageverzoek.pdf",
            ],
        ),
        ({*ITEMS, "measurement_note"}, [f"{u}/metingen/", f"{api}/metingen/", f"{u}/inzageverzoek.json"]),
        ({"contact_note"}, [f"{u}/contacten/", f"{api}/contacten/", f"{u}/inzageverzoek.json"]),
        ({"identity", "contact", "bsn"}, [f"{u}/", f"{api}/", f"{u}/inzageverzoek.json"]),
    ]
    problems = []
    for reader in world["readers"]:
        for kinds, urls in groups:
            answers = {url: sweep.found.get((reader.name, "get", url)) for url in urls}
            # compare the channels that answered with content (a channel the reader may not open
            # at all, such as an export for a coach, is left out)
            opened = {url: found & kinds for url, found in answers.items() if found is not None and found}
            if len(opened) < 2:
                continue
            sweep.comparisons += 1
            if len({frozenset(v) for v in opened.values()}) > 1:
                problems.append(f"{reader.name}: {sorted(kinds)[:3]}...: {opened}")
    return problems


def complete(reader: Reader) -> Reader:
    """The reader of the complete export: everything held about the participant (not the other
    household members' data)."""
    return replace(reader, categories=frozenset(C.ALL), sees_sensitive=True, bsn_role=True, child_identity=False)


def _import_file(world: dict[str, object]) -> bytes:
    """A participants file for the import check: the marked participant by BSN, with other names."""
    municipality = world["municipality"]
    return (
        "extern_id;gemeente;bsn;voornaam;achternaam;geboortedatum\n"
        f"veeg-1;{municipality.name};{BSN};Sanne;Anders;1990-05-01\n"
        f"veeg-2;{municipality.name};;Pieter;Nieuwkomer;1985-02-03\n"
    ).encode()


def request(call: Call, reader: Reader, client, api: APIClient):
    headers = {"HTTP_HX_REQUEST": "true"} if call.channel == "htmx" else {}
    if any(isinstance(v, tuple) for v in call.data.values()):  # a file: a fresh upload for every request
        data = {k: SimpleUploadedFile(*v) if isinstance(v, tuple) else v for k, v in call.data.items()}
        return client.post(call.url, data)
    if call.name.startswith("api-"):
        method = getattr(api, call.method)
        return method(call.url, call.data, format="json") if call.method != "get" else method(call.url)
    method = getattr(client, call.method)
    return method(call.url, call.data, **headers) if call.method != "get" else method(call.url, **headers)


def test_every_marker_shows_only_where_the_oracle_allows_its_category(client, monkeypatch, assurance):
    world = plant(monkeypatch)
    markers = world["markers"]
    all_calls = calls(world)
    routes = dict(named_routes())
    # every route and call of the endpoint registry is swept (a new endpoint joins the sweep)
    swept = {(c.name, c.method) for c in all_calls}
    registry = {(e.name, e.method) for e in PERSONAL}
    missing = sorted(registry - swept)
    assert not missing, f"endpoints the marker sweep does not call: {missing}"
    assert all(c.name in routes for c in all_calls)
    unswept_routes = sorted(set(routes) - {c.name for c in all_calls} - NOT_PERSONAL)
    assert not unswept_routes, f"routes the marker sweep does not call: {unswept_routes}"
    sweep = Sweep()
    for reader in world["readers"]:
        client.force_login(reader.user)
        api = APIClient()
        api.force_authenticate(reader.user)
        for call in all_calls:
            if call.method == "get":
                response = request(call, reader, client, api)
            else:  # a write is swept for what it answers, and leaves the world as it was
                with transaction.atomic():
                    response = request(call, reader, client, api)
                    transaction.set_rollback(True)
            assert response.status_code < 500, (reader.name, call.url, response.status_code)
            sweep.routes.add((call.name, call.method))
            sweep_response(sweep, reader, call, body_text(response, call.channel), markers, response.status_code)
    # the e-mail digest, each to its reader
    mail.outbox = []
    call_command("signalen_mailen", stdout=open("/dev/null", "w"))  # noqa: SIM115
    by_email = {r.user.email: r for r in world["readers"]}
    digests = 0
    for message in mail.outbox:
        for address in message.to:
            reader = by_email.get(address)
            if reader is None:
                continue
            digests += 1
            digest = Call(
                "signalen_mailen", "mail", "-", "mail", frozenset({"identity"}), only_for=frozenset({"coach_full"})
            )
            sweep_response(sweep, reader, digest, message.body.lower(), markers, 200)
    assert digests >= 2, "the digest reached too few readers to be swept"
    # the service's own channels, read after every reader called every route: no marker of any kind (the
    # metrics label requests by route name; an id or a search term in an address never becomes a label)
    client.logout()
    for path in ("/health/", "/metrics"):
        answer = client.get(path, REMOTE_ADDR="127.0.0.1")
        assert answer.status_code == 200, path
        own = body_text(answer, "page")
        assert "doorstroom_request_seconds_count" in own or "checks" in own, path  # it could have leaked
        for kind, marker in markers.items():
            assert not any(n.lower() in own for n in marker.needles), (path, kind)

    disagreements = compare_channels(sweep, world)
    assurance.add("A4 content comparisons", sweep.comparisons)
    assurance.add("A4 content disagreements", len(disagreements))
    assurance.add("A9 markers planted", sum(len(m.needles) for m in markers.values()))
    assurance.add("A9 responses swept", sweep.responses)
    assurance.add("A9 responses with an allowed marker found", sweep.found_allowed)
    assurance.add("A9 readers", len(world["readers"]))
    assurance.add("A9 leaks", len(sweep.leaks))
    assurance.add("A9 misses", len(sweep.misses))
    assert not sweep.leaks, "\n".join(sweep.leaks[:60])
    assert not sweep.misses, "\n".join(sweep.misses[:60])
    assert not disagreements, "\n".join(disagreements[:60])
    # the sweep can see: the participant's own export holds every kind of data planted
    client.force_login(world["users"]["participant"])
    own = body_text(client.get(f"/deelnemers/{world['participant'].uuid}/inzageverzoek.json"), "json")
    for kind in ("identity", "bsn", *REASONS, *GOALS, "plan_note", "contact_note", *ITEMS, "sensitive_programme"):
        assert any(n.lower() in own for n in markers[kind].needles), kind
    assert C.HEALTH in {r for reader in world["readers"] for r in reader.categories}
    # the sweep can see into the import check: the director gets the preview of both rows, not a refusal
    client.force_login(world["users"]["director"])
    upload = SimpleUploadedFile("deelnemers.csv", _import_file(world))
    checked = body_text(client.post("/inlezen/", {"bestanden": upload}), "page")
    assert "wat er zou gebeuren" in checked and "geen problemen gevonden" in checked, checked[:800]
    # the sweep can see into the extract: the evaluator's file holds the participant's row, in both formats
    client.force_login(world["users"]["evaluator"])
    for file_format in ("csv", "xlsx"):
        with transaction.atomic():
            response = client.post(f"/onderzoek/{world['study'].uuid}/levering/", {"formaat": file_format})
            transaction.set_rollback(True)
        assert response.status_code == 200, file_format
        extract = body_text(response, "json")
        assert "geboortejaar" in extract and "verblijfsstatus" in extract, extract[:500]
    assert extract_rows(world["study"]).rows, "the extract the sweep read holds no one"
