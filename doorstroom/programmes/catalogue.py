"""The programmes of the source documents, shipped as ready templates (loaded by a data migration).

Labels and descriptions are our own wording. Figures come from the pilots as the documents describe
them; a municipality adapts a copy in the admin.
"""

from typing import Any

from .rules import CONTEXT_TAGS, REASONS

PHASE = tuple[str, int | None, float | None, float | None]  # name, expected weeks, hours min, hours max

CATALOGUE: list[dict[str, Any]] = [
    {
        "code": "vip-educatie",
        "name": "VIP & Educatie",
        "description": "Route naar opleiding en betaald werk: eerst taal, burgerschap en meedoen, "
        "daarna de Entree-opleiding met stage, doorstromen naar mbo of een cursus, en een blijvende plek.",
        "coaching_hours_per_week": 2,
        "internship_hours_norm": 650,
        "requires_residence_permit": True,
        "source": "Enschede, Leger des Heils, ROC en 50|50 Workcenter (2015-2016)",
        "is_sensitive": True,  # aimed at one community: membership can reveal ethnic origin
        "phases": [
            ("Voortraject taal, burgerschap en participatie", 52, None, None),
            ("Entree-opleiding met stage", 52, None, None),
            ("Doorstroom naar mbo 2, 3 of 4 of een cursus", None, None, None),
            ("Duurzame plaatsing", None, None, None),
        ],
        "outcomes": [
            ("certificaat", None),
            ("startkwalificatie", None),
            ("stage", None),
            ("opleiding_gestart", None),
            ("betaald_werk", None),
        ],
    },
    {
        "code": "roermond-up",
        "name": "UP (Roermond en Leudal)",
        "description": "Intensief programma voor jonge statushouders dat wonen, taal en werk combineert, "
        "met een casemanager, woonbegeleider, ervaringsdeskundige en maatje.",
        "requires_residence_permit": True,
        "min_age": 18,
        "max_age": 21,
        "source": "Pilot duale trajecten Roermond",
        "phases": [
            ("Intake, oriëntatie en PIP", None, None, None),
            ("Fase 1: taal, werkervaring en sport", 13, 36, 36),
            ("Fase 2: taal en (taal)stage, opleiding of werk", 22, None, None),
            ("Fase 3: examen en doorstroom naar Entree, werk of opleiding", 22, None, None),
        ],
        "outcomes": [("inburgeringsexamen", None), ("opleiding_gestart", None), ("betaald_werk", None)],
    },
    {
        "code": "taalsnelweg-naar-werk",
        "name": "Taalsnelweg naar Werk",
        "description": "Eerst een taalfase van 18 weken, dan 18 weken werken met daarnaast nog taalles.",
        "requires_civic_integration_duty": True,
        "source": "Pilot duale trajecten Vijfheerenlanden",
        "phases": [
            ("Taalfase", 18, 20, 20),
            ("Werkfase met 6 uur taal per week", 18, None, None),
        ],
        "outcomes": [("betaald_werk", None), ("werkervaringsplaats", None), ("inburgeringsexamen", None)],
    },
    {
        "code": "startprogramma-inburgering-plus",
        "name": "Startprogramma Inburgering+",
        "description": "Acht weken workshops, daarna zeventien weken vrijwilligerswerk naast de taallessen.",
        "requires_civic_integration_duty": True,
        "source": "Pilot duale trajecten regio Tilburg",
        "phases": [
            ("Workshops", 8, None, None),
            ("Vrijwilligerswerk", 17, 10, 15),
        ],
        "outcomes": [("vrijwilligerswerk", None), ("betaald_werk", None), ("opleiding_gestart", None)],
    },
    {
        "code": "dordrecht-onderwijs",
        "name": "Dordrecht route onderwijs",
        "description": "Voor nieuwkomers die na de Talentscan en taaltoetsen kunnen doorstromen naar onderwijs.",
        "requires_civic_integration_duty": True,
        "source": "Pilot duale trajecten Dordrecht (Sociale Dienst Drechtsteden)",
        "phases": [
            ("Talentscan en taaltoetsen", None, None, None),
            ("Voorbereiding op onderwijs", None, None, None),
            ("Instroom in onderwijs", None, None, None),
        ],
        "outcomes": [("opleiding_gestart", None), ("certificaat", None)],
    },
    {
        "code": "dordrecht-participatie",
        "name": "Dordrecht route participatie",
        "description": "Voor nieuwkomers die gaan werken: matchen op interesse, stage, vrijwilligerswerk of "
        "betaald werk, met lessen in vaktaal.",
        "requires_civic_integration_duty": True,
        "source": "Pilot duale trajecten Dordrecht (Sociale Dienst Drechtsteden)",
        "phases": [
            ("Talentscan en taaltoetsen", None, None, None),
            ("Matchen met een werkgever", None, None, None),
            ("Stage of werk met vaktaal", None, None, None),
        ],
        "outcomes": [("stage", None), ("vrijwilligerswerk", None), ("betaald_werk", None)],
    },
    {
        "code": "dordrecht-stabilisatie",
        "name": "Dordrecht route stabilisatie",
        "description": "Voor kwetsbare nieuwkomers: eerst rust, psychische zorg en zelfredzaamheid.",
        "requires_civic_integration_duty": True,
        "source": "Pilot duale trajecten Dordrecht (Sociale Dienst Drechtsteden)",
        "phases": [
            ("Talentscan en taaltoetsen", None, None, None),
            ("Stabiliseren en zorg", None, None, None),
            ("Werken aan zelfredzaamheid", None, None, None),
        ],
        "outcomes": [("gestabiliseerd", None), ("zelfredzaam", None)],
    },
    {
        "code": "hoeksche-waard-duaal",
        "name": "Hoeksche Waard duaal traject",
        "description": "Vakopleiding met stage en vaktaal naast de inburgeringslessen, 25 tot 32 uur per week, "
        "met zes maanden nazorg na de start van een baan.",
        "requires_civic_integration_duty": True,
        "aftercare_weeks": 26,
        "source": "Pilot duale trajecten Hoeksche Waard",
        "groups": [
            (
                "Korter dan 3 maanden in Nederland",
                "Maatwerk van anderhalf jaar: een dag vakopleiding en een dag stage met vaktaal, 25 uur per week.",
            ),
            (
                "3 tot 6 maanden in Nederland",
                "Drie dagen per week naast de inburgering, opbouwend van 25 naar "
                "32 uur, met nadruk op werknemersvaardigheden.",
            ),
        ],
        "phases": [
            ("Vakopleiding en stage met vaktaal", 78, 25, 32),
            ("Nazorg na start werk", 26, None, None),
        ],
        "outcomes": [("betaald_werk", None), ("certificaat", None), ("stage", None)],
    },
    {
        "code": "enschede-complexe-gezinnen",
        "name": "Werkproces complexe gezinnen (Enschede)",
        "description": "Aanpak voor gezinnen met problemen op meerdere leefgebieden, met één casusregisseur: "
        "één gezin, één plan, één regisseur.",
        "source": "Proeftuin Enschede, programma Aanpak Uitbuiting Roma kinderen",
        "is_sensitive": True,  # from a programme aimed at one community
        "phases": [
            ("Signalering", None, None, None),
            ("Informatie verzamelen", None, None, None),
            ("Motivatie", None, None, None),
            ("Planning met de casusregisseur", None, None, None),
            ("Uitvoering", None, None, None),
            ("Meting", None, None, None),
            ("Uitvoering II", None, None, None),
            ("Afronding", None, None, None),
            ("Nazorg", None, None, None),
        ],
        "outcomes": [("zelfredzaam", None), ("gestabiliseerd", None)],
    },
]


def load_catalogue(apps: Any = None) -> int:
    """Create the shipped programmes that do not exist yet (by code); returns how many were created.

    Takes the migration's `apps` so it runs against the historical models.
    """
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    programme_model = apps.get_model("programmes", "Programme")
    phase_model = apps.get_model("programmes", "Phase")
    group_model = apps.get_model("programmes", "ProgrammeGroup")
    outcome_model = apps.get_model("programmes", "ProgrammeOutcome")
    created = 0
    for entry in CATALOGUE:
        if programme_model.objects.filter(code=entry["code"]).exists():
            continue
        known = {field.name for field in programme_model._meta.fields}  # a historical model may lack newer fields
        fields = {k: v for k, v in entry.items() if k in known}
        programme = programme_model.objects.create(**fields)
        for position, (name, weeks, low, high) in enumerate(entry["phases"], start=1):
            phase_model.objects.create(
                programme=programme,
                position=position,
                name=name,
                expected_weeks=weeks,
                hours_per_week_min=low,
                hours_per_week_max=high,
            )
        for name, description in entry.get("groups", []):
            group_model.objects.create(programme=programme, name=name, description=description)
        for outcome_type, target in entry.get("outcomes", []):
            outcome_model.objects.create(programme=programme, outcome_type=outcome_type, target_percentage=target)
        created += 1
    if "ContextTag" in {m.__name__ for m in apps.get_app_config("programmes").get_models()}:
        load_context_tags(apps)
    return created


def load_context_tags(apps: Any = None) -> None:
    """Place the shipped context tags (data migration, and after a test emptied the database);
    existing rows keep what an administrator set."""
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    tag_model = apps.get_model("programmes", "ContextTag")
    for position, (code, label, description) in enumerate(CONTEXT_TAGS, start=1):
        tag_model.objects.get_or_create(
            code=code, defaults={"label": str(label), "description": str(description), "position": position * 10}
        )


def load_reasons(apps: Any) -> None:
    """Place the shared reasons (data migration); existing rows keep what an administrator set."""
    reason_code = apps.get_model("programmes", "ReasonCode")
    for event_type, reasons in REASONS.items():
        for position, (code, label, category) in enumerate(reasons, start=1):
            reason_code.objects.get_or_create(
                event_type=event_type,
                code=code,
                programme=None,
                defaults={"label": str(label), "category": category, "position": position * 10},
            )
