"""Pure rules of a programme: eligibility (facts in, problems out) and the shipped lifecycle reasons."""

from dataclasses import dataclass

from doorstroom.core.messages import _


@dataclass(frozen=True)
class EligibilityRules:
    requires_residence_permit: bool
    requires_civic_integration_duty: bool
    min_age: int | None
    max_age: int | None


@dataclass(frozen=True)
class ParticipantFacts:
    age: int
    has_residence_permit: bool
    civic_integration_duty: bool


def eligibility_problems(rules: EligibilityRules, facts: ParticipantFacts) -> list[tuple[str, str]]:
    """Each unmet rule as (field, message); an empty list means the participant may enrol."""
    problems: list[tuple[str, str]] = []
    if rules.requires_residence_permit and not facts.has_residence_permit:
        problems.append(("residence_status", _("Dit programma vraagt een verblijfsvergunning.")))
    if rules.requires_civic_integration_duty and not facts.civic_integration_duty:
        problems.append(("civic_integration_duty", _("Dit programma is alleen voor inburgeringsplichtigen.")))
    if rules.min_age is not None and facts.age < rules.min_age:
        problems.append(("date_of_birth", _("Dit programma is vanaf %(age)s jaar.", age=rules.min_age)))
    if rules.max_age is not None and facts.age > rules.max_age:
        problems.append(("date_of_birth", _("Dit programma is tot en met %(age)s jaar.", age=rules.max_age)))
    return problems


# --- reasons ---------------------------------------------------------------------------------------

H, D, J, T = "gezondheid", "schulden", "justitie", "traject"

#: The shared reasons per lifecycle step: (code, label, category). They cover what the source
#: documents report as reasons for not starting, leaving, pausing and moving on; a programme adds its
#: own in the admin. The category is what the reason says about someone (ADR 0010).
REASONS: dict[str, list[tuple[str, str, str]]] = {
    "niet_gestart": [
        ("taalniveau_te_laag", _("Taalniveau te laag voor dit programma"), T),
        ("niet_geschikt", _("Past niet bij het programma"), T),
        ("niet_verschenen", _("Niet op de afspraak gekomen"), T),
        ("geen_motivatie", _("Wil niet meedoen"), T),
        ("werk_gevonden", _("Heeft werk gevonden"), T),
        ("ander_traject", _("Gaat naar een ander traject"), T),
        ("uitkeringsvoorwaarden", _("Voldoet niet meer aan de voorwaarden van de uitkering"), T),
        ("verhuizing", _("Verhuisd"), T),
        ("zorgtaken", _("Zorg voor gezin of familie"), T),
        ("zwangerschap", _("Zwangerschap"), H),
        ("gezondheid", _("Gezondheid"), H),
        ("detentie", _("Detentie"), J),
        ("onbereikbaar", _("Niet bereikbaar"), T),
        ("overig", _("Andere reden"), T),
    ],
    "uitgevallen": [
        ("motivatie", _("Geen motivatie meer"), T),
        ("niet_verschenen", _("Komt niet meer opdagen"), T),
        ("ander_werk", _("Zelf werk gevonden buiten het traject"), T),
        ("taalniveau_te_laag", _("Taalniveau te laag voor dit programma"), T),
        ("uitkeringsvoorwaarden", _("Voldoet niet meer aan de voorwaarden van de uitkering"), T),
        ("verhuizing", _("Verhuisd"), T),
        ("zorgtaken", _("Zorg voor gezin of familie"), T),
        ("zwangerschap", _("Zwangerschap"), H),
        ("gezondheid", _("Gezondheid"), H),
        ("verslavingszorg", _("Behandeling voor verslaving"), H),
        ("ggz", _("Behandeling in de ggz"), H),
        ("schulden", _("Schulden"), D),
        ("detentie", _("Detentie"), J),
        ("onbereikbaar", _("Niet meer bereikbaar"), T),
        ("overig", _("Andere reden"), T),
    ],
    "gepauzeerd": [
        ("zwangerschap", _("Zwangerschap"), H),
        ("ziekte", _("Ziekte"), H),
        ("verslavingszorg", _("Behandeling voor verslaving"), H),
        ("ggz", _("Behandeling in de ggz"), H),
        ("detentie", _("Detentie"), J),
        ("schulden", _("Schulden eerst regelen"), D),
        ("zorgtaken", _("Zorg voor gezin of familie"), T),
        ("verhuizing", _("Verhuizing"), T),
        ("vakantie", _("Vakantie of verlof"), T),
        ("overig", _("Andere reden"), T),
    ],
    "overgedragen": [
        ("past_beter", _("Een ander programma past beter"), T),
        ("volgende_stap", _("Volgende stap in de route"), T),
        ("taalniveau_te_laag", _("Taalniveau te laag voor dit programma"), T),
        ("verhuizing", _("Verhuisd naar een andere gemeente"), T),
        ("overig", _("Andere reden"), T),
    ],
    "administratief_afgesloten": [
        ("historie_zonder_einde", _("Overgenomen geschiedenis zonder bekend einde"), T),
        ("dubbel_ingeschreven", _("Per vergissing dubbel ingeschreven"), T),
        ("overleden", _("Overleden"), T),
        ("overig", _("Andere reden"), T),
    ],
    "afgerond": [
        ("zonder_vervolg", _("Afgerond zonder vervolg"), T),
    ],
}


#: The shipped contexts and mechanisms of a trajectory (the set is data: `ContextTag`, extendable in
#: the admin). Our own wording, after what the pilots describe as making the difference.
CONTEXT_TAGS: list[tuple[str, str, str]] = [
    ("intermediair_ingezet", _("Intermediair ingezet"), _("Een sleutelpersoon uit de eigen gemeenschap hielp mee.")),
    ("huisbezoek_bij_start", _("Huisbezoek bij de start"), _("Het eerste gesprek was bij de deelnemer thuis.")),
    ("taal_op_de_werkvloer", _("Taal op de werkvloer"), _("Taalles gekoppeld aan het werk of de stage.")),
    ("vaste_contactpersoon", _("Vaste contactpersoon"), _("Eén begeleider van begin tot eind.")),
    ("maatje", _("Maatje"), _("Een vrijwilliger trok met de deelnemer op.")),
    ("ervaringsdeskundige", _("Ervaringsdeskundige"), _("Iemand die het zelf meemaakte begeleidde mee.")),
    ("jobcoach", _("Jobcoach op de werkplek"), _("Begeleiding van deelnemer en werkgever op de werkplek.")),
    ("kinderopvang_geregeld", _("Kinderopvang geregeld"), _("Opvang voor de kinderen was geregeld.")),
    ("wens_eerst", _("Wens van de deelnemer eerst"), _("De match begon bij wat de deelnemer wilde.")),
]
